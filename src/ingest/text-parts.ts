/**
 * Where a long text may be cut, best first: a paragraph, a line, a sentence end, a word. They
 * are looked for only in the second half of a part, so every part is at least half full and
 * the search over the whole text stays linear.
 */
const BOUNDARIES = [['\n\n'], ['\n'], ['. ', '? ', '! '], [' ']].map((marks) =>
  marks.map((mark) => Buffer.from(mark)),
);

/** The end of the best boundary in `bytes[from, to)` (the last of its rank), or -1. */
function lastBoundary(bytes: Buffer, from: number, to: number): number {
  const window = bytes.subarray(from, to);
  for (const marks of BOUNDARIES) {
    const ends = marks.map((mark) => {
      const at = window.lastIndexOf(mark);
      return at < 0 ? -1 : from + at + mark.length;
    });
    const end = Math.max(...ends);
    if (end >= 0) return end;
  }
  return -1;
}

/** Backs `end` off a UTF-8 continuation byte, so no character is cut in two. */
function characterBoundary(bytes: Buffer, end: number): number {
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return end;
}

/**
 * Cuts `text` into parts of at most `maxBytes` bytes of UTF-8, at paragraph, line, sentence or
 * word boundaries when there is one in a part's second half, else between characters. A text
 * that fits is one part, unchanged; parts are trimmed and never blank.
 */
export function splitIntoParts(text: string, maxBytes: number): string[] {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return [text];
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.length;
    if (end - start > maxBytes) {
      const limit = start + maxBytes;
      const boundary = lastBoundary(bytes, start + Math.floor(maxBytes / 2), limit);
      end = boundary > start ? boundary : characterBoundary(bytes, limit);
      // A character wider than maxBytes (only when it is under 4): taken whole.
      if (end <= start) {
        end = start + 1;
        while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end++;
      }
    }
    const part = bytes.toString('utf8', start, end).trim();
    if (part !== '') parts.push(part);
    start = end;
  }
  return parts;
}
