import fc from 'fast-check';
import { chunkText } from './chunker';

const words = (count: number, word = 'lorem') =>
  Array.from({ length: count }, () => word).join(' ');

describe('chunkText', () => {
  it('keeps a short document in one chunk', () => {
    expect(chunkText('Hello world.\n\nSecond paragraph.', { size: 200, overlap: 20 })).toEqual([
      'Hello world.\n\nSecond paragraph.',
    ]);
  });

  it('starts a new chunk at each heading', () => {
    const text = '# Install\n\nRun npm ci.\n\n# Usage\n\nCall the API.';
    expect(chunkText(text, { size: 500, overlap: 50 })).toEqual([
      '# Install\n\nRun npm ci.',
      '# Usage\n\nCall the API.',
    ]);
  });

  it('keeps a heading with the paragraph that follows it', () => {
    const chunks = chunkText(`# Title\n## Sub\n${words(10)}`, { size: 500, overlap: 0 });
    expect(chunks).toEqual([`# Title\n## Sub\n\n${words(10)}`]);
  });

  it('never exceeds the size by more than the joining whitespace', () => {
    const text = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}. ${words(20)}`).join('\n\n');
    const chunks = chunkText(text, { size: 300, overlap: 60 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(300);
  });

  it('repeats the tail of the previous chunk as overlap within a section', () => {
    const text = ['First alpha beta gamma delta.', 'Second epsilon zeta eta theta.'].join('\n\n');
    const [first, second] = chunkText(text, { size: 60, overlap: 12 });
    expect(first).toBe('First alpha beta gamma delta.');
    expect(second.startsWith('gamma delta.')).toBe(true);
    expect(second.endsWith('Second epsilon zeta eta theta.')).toBe(true);
  });

  it('splits one enormous paragraph at sentences and words', () => {
    const text = `${words(400, 'sentence')}. ${words(5, 'end')}.`;
    const chunks = chunkText(text, { size: 250, overlap: 0 });
    expect(chunks.length).toBeGreaterThan(8);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(250);
    expect(chunks.join(' ').replace(/\s+/g, ' ')).toContain('end end end end end.');
  });

  it('splits a single word longer than the size', () => {
    const chunks = chunkText('x'.repeat(450), { size: 200, overlap: 0 });
    expect(chunks.map((c) => c.length)).toEqual([200, 200, 50]);
  });

  it('keeps consecutive headings together only while they fit in the size', () => {
    expect(chunkText('# A\n# B\n# C\n\nBody.', { size: 8, overlap: 0 })).toEqual([
      '# A\n# B',
      '# C',
      'Body.',
    ]);
  });

  it('splits a heading longer than the size like a paragraph', () => {
    const chunks = chunkText(`# ${words(100)}\n\nBody.`, { size: 120, overlap: 20 });
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(120);
    expect(chunks[0].startsWith('# lorem')).toBe(true);
    expect(
      chunks
        .join(' ')
        .split(/\s+/)
        .filter((w) => w === 'lorem').length,
    ).toBeGreaterThanOrEqual(100);
  });

  it('returns nothing for blank text', () => {
    expect(chunkText(' \n\n \t', { size: 100, overlap: 10 })).toEqual([]);
  });

  it('reads CRLF and bare CR line breaks as line breaks', () => {
    const chunking = { size: 100, overlap: 0 };
    expect(chunkText('One.\r\n\r\nTwo.', chunking)).toEqual(['One.\n\nTwo.']);
    expect(chunkText('One.\r\rTwo.', chunking)).toEqual(['One.\n\nTwo.']);
  });

  it('keeps the line breaks of a paragraph that fits', () => {
    expect(chunkText('First line.\nSecond line.', { size: 100, overlap: 0 })).toEqual([
      'First line.\nSecond line.',
    ]);
    expect(chunkText('One.\nTwo.', { size: 9, overlap: 0 })).toEqual(['One.\nTwo.']);
  });

  it('fills a chunk up to exactly the size', () => {
    expect(chunkText('Hello.\n\nWorld.', { size: 14, overlap: 0 })).toEqual(['Hello.\n\nWorld.']);
    expect(chunkText('# A\n# B\n\nBody.', { size: 7, overlap: 0 })).toEqual(['# A\n# B', 'Body.']);
    expect(chunkText('aaaaa bbbbb ccccc', { size: 11, overlap: 0 })).toEqual([
      'aaaaa bbbbb',
      'ccccc',
    ]);
  });

  it('treats only a line starting with 1 to 6 #s and a space as an ATX heading', () => {
    expect(chunkText('Intro.\nIssue # 5 is fixed.', { size: 100, overlap: 0 })).toEqual([
      'Intro.\nIssue # 5 is fixed.',
    ]);
    expect(chunkText('#  Title\nBody text.', { size: 100, overlap: 0 })).toEqual([
      '#  Title\n\nBody text.',
    ]);
  });

  it('closes the section before a heading that follows lines of text', () => {
    expect(
      chunkText('# A\n\nFirst line\nsecond line\n# B\nBody', { size: 100, overlap: 0 }),
    ).toEqual(['# A\n\nFirst line\nsecond line', '# B\n\nBody']);
  });

  it('keeps headings of every level together', () => {
    expect(chunkText('# Title\n## Sub\n### Deeper\n\nBody.', { size: 100, overlap: 0 })).toEqual([
      '# Title\n## Sub\n### Deeper\n\nBody.',
    ]);
  });

  it('starts a new chunk at a setext heading', () => {
    expect(chunkText('Intro.\n\nTitle\n=====\n\nBody.', { size: 100, overlap: 0 })).toEqual([
      'Intro.',
      'Title\n=====\n\nBody.',
    ]);
  });

  it('adds no chunk for trailing blank lines', () => {
    expect(chunkText('alpha beta gamma de\n\n', { size: 20, overlap: 10 })).toEqual([
      'alpha beta gamma de',
    ]);
  });

  it('starts the overlap at a word boundary, dropping the word the cut landed in', () => {
    const text = ['First alpha beta gamma delta.', 'Second epsilon zeta eta theta.'].join('\n\n');
    expect(chunkText(text, { size: 60, overlap: 15 })).toEqual([
      'First alpha beta gamma delta.',
      'gamma delta.\n\nSecond epsilon zeta eta theta.',
    ]);
  });

  it('repeats nothing when the overlap falls inside one long word', () => {
    const text = `Start ${'x'.repeat(20)}\n\n${'y'.repeat(20)}`;
    expect(chunkText(text, { size: 30, overlap: 5 })).toEqual([
      `Start ${'x'.repeat(20)}`,
      'y'.repeat(20),
    ]);
  });
});

/** Half of a surrogate pair without its other half: a character cut in two. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The text without whitespace: what chunking must keep, in order. */
const solid = (text: string) => text.replace(/\s+/g, '');

/**
 * Whether the chunks are the text cut in order, each chunk optionally opening with context: a
 * suffix of the previous chunk, at most `overlap` characters, then a blank line. Every way of
 * reading each chunk is tried, so repeated words in the text cannot mislead the check.
 */
function rebuildsText(text: string, chunks: string[], overlap: number): boolean {
  const target = solid(text);
  let reached = new Set([0]);
  chunks.forEach((chunk, i) => {
    const bodies = [chunk];
    for (
      let at = chunk.indexOf('\n\n');
      at !== -1 && at <= overlap;
      at = chunk.indexOf('\n\n', at + 1)
    ) {
      if (i > 0 && chunks[i - 1].endsWith(chunk.slice(0, at))) bodies.push(chunk.slice(at + 2));
    }
    const next = new Set<number>();
    for (const position of reached) {
      for (const body of bodies.map(solid)) {
        if (target.startsWith(body, position)) next.add(position + body.length);
      }
    }
    reached = next;
  });
  return reached.has(target.length);
}

/** Text shaped like what breaks chunkers: runs of headings, long words, CRLF, blank runs. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.constantFrom('# hhhhh', '## Sub', '#', '# ', 'Title', '=====', '---', '', ' ', '\t'),
      fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\n\r\n', ' \n \n'),
      fc.constantFrom('Short sentence. ', 'Question? ', 'word ', 'a.b.c '),
      fc.integer({ min: 1, max: 400 }).map((n) => 'x'.repeat(n)),
      fc.integer({ min: 1, max: 60 }).map((n) => '# heading\n'.repeat(n)),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));
const options = fc
  .integer({ min: 20, max: 400 })
  .chain((size) =>
    fc.record({ size: fc.constant(size), overlap: fc.integer({ min: 0, max: size - 1 }) }),
  );

describe('chunkText properties', () => {
  it('never makes a chunk longer than the size, headings and overlap included', () => {
    fc.assert(
      fc.property(hostileText, options, (text, chunking) => {
        for (const chunk of chunkText(text, chunking)) {
          expect(chunk.length).toBeLessThanOrEqual(chunking.size);
          expect(chunk.trim()).toBe(chunk);
          expect(chunk).not.toBe('');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every non-whitespace character, in order, adding only overlap context', () => {
    fc.assert(
      fc.property(hostileText, options, (text, chunking) => {
        expect(rebuildsText(text, chunkText(text, chunking), chunking.overlap)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never splits a sentence that fits in a chunk', () => {
    const sentence = fc
      .array(fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'epsilon'), {
        minLength: 1,
        maxLength: 8,
      })
      .map((words) => `${words.join(' ')}.`);
    fc.assert(
      fc.property(
        fc.array(sentence, { minLength: 2, maxLength: 12 }),
        fc.nat(20),
        (sentences, slack) => {
          const size = Math.max(...sentences.map((s) => s.length)) + slack;
          const chunks = chunkText(sentences.join(' '), { size, overlap: 0 });
          for (const chunk of chunks) expect(chunk.endsWith('.')).toBe(true);
          expect(chunks.join(' ')).toBe(sentences.join(' '));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds the size for any shape of input: long words, CJK or emoji without spaces, one giant line', () => {
    const shapedText = fc
      .array(
        fc.oneof(
          fc.integer({ min: 1, max: 3000 }).map((n) => 'w'.repeat(n)),
          fc.string({
            unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)),
            maxLength: 2000,
          }),
          fc.string({ unit: fc.constantFrom('😀', '𝄞', '𠀀', '👍🏽'), maxLength: 800 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.constantFrom(' ', '\n', '\n\n', '。', '. ', '# '),
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(shapedText, options, (text, chunking) => {
        const chunks = chunkText(text, chunking);
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(chunking.size);
          // No surrogate pair is cut in two: every chunk is well-formed UTF-16.
          expect(chunk).not.toMatch(LONE_SURROGATE);
        }
        expect(rebuildsText(text, chunks, chunking.overlap)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps exactly the text when there is no overlap', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 20, max: 400 }), (text, size) => {
        expect(chunkText(text, { size, overlap: 0 }).map(solid).join('')).toBe(solid(text));
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Characters handed to string scans (split, trim, search, replace, regex tests) while `run`
 * runs: the work chunking does, counted instead of timed so the check holds on any machine.
 * Re-reading a growing chunk, as the quadratic heading bug did, shows up as a count that grows
 * with the square of the input.
 */
function charactersScanned(run: () => void): number {
  let scanned = 0;
  const count = <K extends 'split' | 'trim' | 'search' | 'replace' | 'lastIndexOf'>(method: K) => {
    const original = String.prototype[method] as (...args: unknown[]) => unknown;
    return jest.spyOn(String.prototype, method).mockImplementation(function (
      this: string,
      ...args: unknown[]
    ) {
      scanned += this.length;
      return original.apply(this, args);
    } as never);
  };
  const originalTest = RegExp.prototype.test;
  const spies = [
    ...(['split', 'trim', 'search', 'replace', 'lastIndexOf'] as const).map(count),
    jest.spyOn(RegExp.prototype, 'test').mockImplementation(function (this: RegExp, input) {
      scanned += String(input).length;
      return originalTest.call(this, input);
    }),
  ];
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return scanned;
}

describe('chunkText work', () => {
  const chunking = { size: 1000, overlap: 150 };
  it.each([
    ['a run of headings', (n: number) => '# hhhhh\n'.repeat(n)],
    ['setext headings', (n: number) => 'Title\n=====\n\n'.repeat(n)],
    ['one long word', (n: number) => 'x'.repeat(8 * n)],
    ['one long paragraph', (n: number) => 'word. '.repeat(n)],
    ['short paragraphs, CRLF', (n: number) => 'Some words.\r\n\r\n'.repeat(n)],
    ['headings between paragraphs', (n: number) => '# h\ntext here.\n'.repeat(n)],
  ])('grows linearly with %s', (_, make) => {
    const small = make(4000);
    const large = make(16_000);
    const perChar = (text: string) =>
      charactersScanned(() => chunkText(text, chunking)) / text.length;
    // Quadratic work would scan each character about as often as there are headings.
    expect(perChar(small)).toBeLessThan(20);
    expect(perChar(large)).toBeLessThan(20);
    expect(perChar(large)).toBeLessThan(perChar(small) * 1.5);
  });
});
