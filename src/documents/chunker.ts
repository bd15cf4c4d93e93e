export interface ChunkOptions {
  /** Target maximum characters per chunk. */
  size: number;
  /** Characters of the previous chunk repeated at the start of the next one in the same section. */
  overlap: number;
}

const HEADING = /^(#{1,6}\s+\S|[^\n]+\n(=+|-+)\s*$)/;
const SENTENCE_END = /(?<=[.!?])\s+(?=\S)/;

/** Splits text into blocks: headings, and paragraphs separated by blank lines. */
function blocks(text: string): { text: string; heading: boolean }[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .flatMap((paragraph) => {
      // A heading line directly followed by text (no blank line) is still its own block.
      const lines = paragraph.split('\n');
      const out: { text: string; heading: boolean }[] = [];
      let body: string[] = [];
      for (const line of lines) {
        if (/^#{1,6}\s+\S/.test(line)) {
          // Stryker disable next-line ConditionalExpression: an empty block is dropped by the filter below
          if (body.length) out.push({ text: body.join('\n'), heading: false });
          out.push({ text: line, heading: true });
          body = [];
        } else {
          body.push(line);
        }
      }
      // Stryker disable next-line ConditionalExpression: an empty block is dropped by the filter below
      if (body.length) out.push({ text: body.join('\n'), heading: HEADING.test(body.join('\n')) });
      return out;
    })
    .map((block) => ({ ...block, text: block.text.trim() }))
    .filter((block) => block.text.length > 0);
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Breaks a block longer than `size` at sentence, then word, then character boundaries. */
function splitLong(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  const pieces: string[] = [];
  let current = '';
  // Stryker disable Regex: empty words from runs of whitespace are skipped by the loop below
  const units = text
    .split(SENTENCE_END)
    .flatMap((sentence) => (sentence.length <= size ? [sentence] : sentence.split(/\s+/)));
  // Stryker restore Regex
  for (const unit of units) {
    // Stryker disable next-line EqualityOperator: units are never empty, and an empty part after a full one only flushes it
    for (let start = 0, end = 0; start < unit.length; start = end) {
      end = Math.min(unit.length, start + size);
      // Never between the two halves of a surrogate pair (an emoji, a rare CJK ideograph).
      if (end < unit.length && isHighSurrogate(unit.charCodeAt(end - 1)) && end - start > 1) end--;
      const part = unit.slice(start, end);
      if (current && current.length + 1 + part.length > size) {
        pieces.push(current);
        current = part;
      } else {
        current = current ? `${current} ${part}` : part;
      }
    }
  }
  // Stryker disable next-line ConditionalExpression: the text is longer than size, so the loop always leaves a piece
  if (current) pieces.push(current);
  return pieces;
}

/** The last `overlap` characters of a chunk, starting at a word boundary. */
function tail(text: string, overlap: number): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a cut at or past the end finds no word boundary, giving '' as well
  if (overlap <= 0) return '';
  // Stryker disable next-line ConditionalExpression,EqualityOperator: unreachable from chunkText, which asks for less than the chunk's length
  if (text.length <= overlap) return text;
  const start = text.length - overlap;
  // Start at a word boundary: drop the partial word the cut landed in.
  if (/\s/.test(text[start - 1])) return text.slice(start);
  const boundary = text.slice(start).search(/\s/);
  return boundary === -1 ? '' : text.slice(start + boundary + 1);
}

/** The last line of a block starts a heading: the next heading may join it in one chunk. */
const endsWithHeading = (block: string): boolean =>
  /^#{1,6}\s/.test(block.slice(block.lastIndexOf('\n') + 1));

/**
 * Splits a document into chunks of at most `size` characters, headings and overlap included.
 * Paragraphs are never merged across a heading: each heading starts a new chunk, so a chunk
 * stays on one topic. Consecutive chunks of the same section share `overlap` characters of
 * context. Linear in the text's length: each block is looked at a fixed number of times.
 */
export function chunkText(text: string, { size, overlap }: ChunkOptions): string[] {
  const chunks: string[] = [];
  let current = '';
  // Whether `current` ends with a `#` heading, kept as a flag: re-reading `current` to find
  // out made runs of headings quadratic.
  // Stryker disable next-line BooleanLiteral: nothing to flush before the first block either way
  let headingLast = false;

  const flush = () => {
    // Stryker disable next-line MethodExpression: blocks are trimmed and non-empty, so current is never only whitespace
    if (current.trim()) chunks.push(current.trim());
    current = '';
  };
  const append = (piece: string, separator: string) => {
    current = current ? `${current}${separator}${piece}` : piece;
  };

  for (const block of blocks(text)) {
    if (block.heading) {
      // Consecutive headings stay together while they fit; otherwise a heading closes the section.
      if (!headingLast) flush();
      for (const piece of splitLong(block.text, size)) {
        if (current && current.length + 1 + piece.length > size) flush();
        append(piece, '\n');
      }
      headingLast = endsWithHeading(block.text);
      continue;
    }
    headingLast = false;
    for (const piece of splitLong(block.text, size)) {
      if (current && current.length + 2 + piece.length > size) {
        const previous = current;
        flush();
        // The same section goes on: repeat the end of the previous chunk, as far as it fits.
        const context = tail(previous, Math.min(overlap, size - piece.length - 2));
        current = context ? `${context}\n\n${piece}` : piece;
      } else {
        append(piece, '\n\n');
      }
    }
  }
  flush();
  return chunks;
}
