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

  it('returns nothing for blank text', () => {
    expect(chunkText(' \n\n \t', { size: 100, overlap: 10 })).toEqual([]);
  });
});
