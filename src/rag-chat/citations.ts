// `[3]` or `[1, 2]`; a held-back tail is an opening bracket a later chunk may still close.
const CITATION = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
const OPEN_TAIL = /\[[\d,\s]{0,24}$/;

/**
 * Keeps only citations of sources that exist (`1..sourceCount`), so a model cannot point the
 * reader at a source it was never shown. Works on text streamed in arbitrary pieces: a piece
 * ending inside a possible citation is held back until the next one (or `flush`).
 */
export class CitationFilter {
  private pending = '';

  constructor(private readonly sourceCount: number) {}

  push(text: string): string {
    const input = this.pending + text;
    const tail = OPEN_TAIL.exec(input);
    this.pending = tail ? input.slice(tail.index) : '';
    return this.clean(tail ? input.slice(0, tail.index) : input);
  }

  flush(): string {
    const rest = this.clean(this.pending);
    this.pending = '';
    return rest;
  }

  /** Whole text at once: what a non-streaming answer needs. */
  static clean(text: string, sourceCount: number): string {
    const filter = new CitationFilter(sourceCount);
    return filter.push(text) + filter.flush();
  }

  private clean(text: string): string {
    return text.replace(CITATION, (_whole, list: string) =>
      list
        .split(',')
        .map(Number)
        .filter((n) => n >= 1 && n <= this.sourceCount)
        .map((n) => `[${n}]`)
        .join(''),
    );
  }
}
