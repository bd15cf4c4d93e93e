// ICU's sentence rules already keep "2.0", "v1.2.3", "Node.js" and "e.g. the" whole.
const SEGMENTER = new Intl.Segmenter('en', { granularity: 'sentence' });
/**
 * Abbreviations that ICU ends a sentence at when a capital letter follows ("e.g. Express");
 * V8 does not support ICU's own suppression lists, so segments ending in one are joined again.
 */
const ABBREVIATION =
  /(?:^|[\s([{"'])(?:e\.g|i\.e|etc|cf|vs|approx|incl|resp|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Inc|Ltd|Co)\.$/i;
/** Lines that are a block of their own in Markdown: headings and table rows. */
const SINGLE_LINE_BLOCK = /^(?:#{1,6}\s|\|)/;
/** Lines that start a new block: list items and quotes. */
const BLOCK_START = /^(?:[-*+]\s|\d{1,9}[.)]\s|>)/;
const FENCE = /^(?:```|~~~)/;

/**
 * The text's paragraphs, each on one line: hard-wrapped lines are joined with a space; blank
 * lines, list items, headings, table rows and fenced code lines stay boundaries.
 */
export function paragraphs(text: string): string[] {
  const blocks: string[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) blocks.push(lines.join(' '));
    lines = [];
  };
  let inFence = false;
  for (const line of text.split(/\r?\n|\r/)) {
    const trimmed = line.trim();
    if (FENCE.test(trimmed)) {
      flush();
      inFence = !inFence;
    } else if (trimmed === '') {
      flush();
    } else if (inFence || SINGLE_LINE_BLOCK.test(trimmed)) {
      flush();
      blocks.push(trimmed);
    } else {
      if (BLOCK_START.test(trimmed)) flush();
      lines.push(trimmed);
    }
  }
  flush();
  return blocks;
}

/** The text's sentences, trimmed, in order; a sentence never spans two paragraphs. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of paragraphs(text)) {
    let pending = '';
    for (const { segment } of SEGMENTER.segment(paragraph)) {
      pending += segment;
      if (!ABBREVIATION.test(pending.trimEnd())) {
        if (pending.trim() !== '') out.push(pending.trim());
        pending = '';
      }
    }
    if (pending.trim() !== '') out.push(pending.trim());
  }
  return out;
}
