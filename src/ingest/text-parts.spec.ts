import { splitIntoParts } from './text-parts';

const bytes = (text: string) => Buffer.byteLength(text);
const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('splitIntoParts', () => {
  it('keeps a text that fits as it is', () => {
    expect(splitIntoParts('  one part \n', 12)).toEqual(['  one part \n']);
  });

  it('cuts at paragraphs first, and keeps every word', () => {
    const paragraph = (n: number) => `Paragraph ${n} has a line.\nAnd a second line.`;
    const text = Array.from({ length: 10 }, (_, n) => paragraph(n)).join('\n\n');
    const parts = splitIntoParts(text, 100);
    // Two paragraphs (46 bytes each + the blank line) fit in 100 bytes.
    expect(parts).toEqual(
      Array.from({ length: 5 }, (_, i) => `${paragraph(2 * i)}\n\n${paragraph(2 * i + 1)}`),
    );
  });

  it('falls back to lines, then sentence ends, then words', () => {
    expect(splitIntoParts('aaaa bbbb\ncccc dddd eeee', 15)).toEqual([
      'aaaa bbbb',
      'cccc dddd eeee',
    ]);
    expect(splitIntoParts('One two three. Four five six seven', 20)).toEqual([
      'One two three.',
      'Four five six seven',
    ]);
    expect(splitIntoParts('Was it true? Yes it was', 16)).toEqual(['Was it true?', 'Yes it was']);
    expect(splitIntoParts('alpha beta gamma delta', 12)).toEqual(['alpha beta', 'gamma delta']);
  });

  it('ignores a boundary in the first half of a part rather than make tiny parts', () => {
    expect(splitIntoParts('a\n' + 'b'.repeat(30), 20)).toEqual([
      `a\n${'b'.repeat(18)}`,
      'b'.repeat(12),
    ]);
  });

  it('never cuts a character in two, and never exceeds the size in bytes', () => {
    const text = 'é'.repeat(50) + '中文'.repeat(40) + '😀'.repeat(30);
    for (const max of [4, 7, 10, 33]) {
      const parts = splitIntoParts(text, max);
      expect(parts.join('')).toBe(text);
      for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(max);
    }
  });

  it('splits a long real-looking document into parts of at most the size, losing no word', () => {
    const sentence = (i: number) => `Sentence ${i} talks about the topic number ${i % 97}.`;
    const text = Array.from({ length: 5000 }, (_, i) =>
      i % 7 === 6 ? `${sentence(i)}\n\n` : `${sentence(i)} `,
    ).join('');
    const parts = splitIntoParts(text, 10_000);
    for (const part of parts) {
      expect(bytes(part)).toBeLessThanOrEqual(10_000);
      expect(bytes(part)).toBeGreaterThan(5_000 - 100);
      expect(part).toMatch(/\.$/);
    }
    expect(parts.flatMap(words)).toEqual(words(text));
  });
});
