import { decodeBatch, encodeBatch, GZIP_HEX_PREFIX } from './batch-codec';
import type { StoredBatch } from './ingest-job';

const batch: StoredBatch = {
  documents: [
    {
      id: 'guide/readme.md',
      text: '# Setup\n\nRun the installer twice. '.repeat(200),
      metadata: { source: 'guide/readme.md', team: 'ops' },
    },
    { id: 'notes/ünïcödé.txt', text: 'Café — naïve 東京 🚀', metadata: { page: 2, draft: false } },
  ],
  pdfs: [{ id: 'manual.pdf', pages: 3 }],
};

describe('batch codec', () => {
  it('round-trips a batch through its compressed, marked form', async () => {
    const text = await encodeBatch(batch);
    expect(text.startsWith(GZIP_HEX_PREFIX)).toBe(true);
    expect(text.slice(GZIP_HEX_PREFIX.length)).toMatch(/^[0-9a-f]+$/);
    expect(text.length).toBeLessThan(JSON.stringify(batch).length / 2);
    await expect(decodeBatch(text)).resolves.toEqual(batch);
  });

  it('reads the plain JSON that batches stored before compression hold', async () => {
    await expect(decodeBatch(JSON.stringify(batch))).resolves.toEqual(batch);
  });

  it('refuses a truncated record rather than returning part of a batch', async () => {
    const text = await encodeBatch(batch);
    await expect(decodeBatch(text.slice(0, text.length - 16))).rejects.toThrow();
  });
});
