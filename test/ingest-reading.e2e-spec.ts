import request from 'supertest';
import type { App } from 'supertest/types';
import { VectorStore } from '../src/vector-store/vector-store.port';
import { INGEST_TEST_ENV, pollJob, relativeName, type JobBody } from './support/ingest-api';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

type Upload = [name: string, content: string | Buffer];

/** Issue 18 items 7–10: files as a real folder has them, through the upload endpoint. */
describe('ingest reads what people have', () => {
  let testApp: TestApp;
  let http: App;
  let store: VectorStore;
  let admin: string;
  const collection = `reading-${Date.now()}`;
  const MAX_TEXT_BYTES = 2000;

  const ingest = async (files: Upload[]): Promise<JobBody> => {
    const req = request(http)
      .post('/ingest/jobs')
      .set('Authorization', admin)
      .field('collection', collection);
    for (const [name, content] of files) {
      req.attach('files', Buffer.isBuffer(content) ? content : Buffer.from(content), {
        ...relativeName(name),
        // What browsers and curl send for a file of no known type.
        contentType: 'application/octet-stream',
      });
    }
    const { body } = await req.expect(202);
    return (await pollJob(http, admin, (body as JobBody).id)).job;
  };
  const chunksOf = async (documentId: string) =>
    (await store.find(collection, { document_id: { $eq: documentId } })).sort(
      (a, b) => Number(a.metadata.chunk_index) - Number(b.metadata.chunk_index),
    );
  const textOf = async (documentId: string) =>
    (await chunksOf(documentId)).map((chunk) => chunk.text).join(' ');

  beforeAll(async () => {
    testApp = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      ...INGEST_TEST_ENV,
      MAX_TEXT_BYTES: String(MAX_TEXT_BYTES),
      INGEST_MAX_FILE_TEXT_BYTES: '20000',
    });
    http = testApp.app.getHttpServer() as App;
    admin = testApp.bearer();
    store = testApp.app.get(VectorStore);
  });
  afterAll(() => testApp.close());

  it('reads licences named like versions and legacy charsets, and refuses binary files', async () => {
    const latin1Page = Buffer.from(
      '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">' +
        '<title>Men\xfa</title></head><body><p>Cr\xe8me br\xfbl\xe9e costs \xa35 \x96 ask the caf\xe9.</p></body></html>',
      'latin1',
    );
    const job = await ingest([
      ['licenses/Apache-2.0', 'Apache License\nVersion 2.0, January 2004\n\nTERMS AND CONDITIONS'],
      ['licenses/LGPL-2.1', 'GNU LESSER GENERAL PUBLIC LICENSE\nVersion 2.1, February 1999'],
      ['site/menu.html', latin1Page],
      ['notes/utf16.txt', Buffer.from('\uFEFFGrüße aus Köln, written in UTF-16.', 'utf16le')],
      [
        'notes/legacy.txt',
        Buffer.from('Undeclared na\xefve r\xe9sum\xe9 in windows-1252.', 'latin1'),
      ],
      ['bin/tool', Buffer.from('\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00', 'latin1')],
      ['bin/data.2', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 1) % 256 || 7))],
    ]);
    expect(job.state).toBe('succeeded');
    expect(job.files).toEqual({ total: 7, failed: 2, skipped: 0 });
    const reasons = Object.fromEntries(job.failures.map((f) => [f.file, f.reason]));
    expect(reasons).toEqual({
      'bin/tool': 'unsupported file type: binary content (ELF executable)',
      'bin/data.2': expect.stringMatching(/^binary content \((NUL bytes|control characters)\)/),
    });
    const [apache] = await chunksOf('licenses/Apache-2.0');
    expect(apache.metadata.file_type).toBe('txt');
    expect(apache.text).toContain('TERMS AND CONDITIONS');
    expect(await textOf('licenses/LGPL-2.1')).toContain('LESSER GENERAL PUBLIC LICENSE');
    const [menu] = await chunksOf('site/menu.html');
    expect(menu.text).toBe('Crème brûlée costs £5 – ask the café.');
    expect(menu.metadata.title).toBe('Menú');
    expect(await textOf('notes/utf16.txt')).toBe('Grüße aus Köln, written in UTF-16.');
    expect(await textOf('notes/legacy.txt')).toBe('Undeclared naïve résumé in windows-1252.');
  });

  it('keeps words apart across tags and headings on their own lines', async () => {
    await ingest([
      [
        'api/child_process.html',
        `<html><body><h2>Trace events<span><a class="mark" href="#trace-events">#</a></span></h2>
<p class="api_stability"><a href="documentation.html#stability-index">Stability: 1</a> - Experimental</p>
<p>The <code>child_process.fork()</code> method is a special case of
<a href="#spawn"><code>child_process.spawn()</code></a> used to spawn Node.js processes.</p></body></html>`,
      ],
    ]);
    const text = await textOf('api/child_process.html');
    expect(text).toContain('special case of child_process.spawn() used');
    expect(text).toMatch(/^## Trace events\n\nStability: 1 - Experimental/);
  });

  it('stores a long page in parts, idempotently, and drops the parts a shorter version lost', async () => {
    const paragraph = (i: number) =>
      `<p>Paragraph ${i} of the manual explains step ${i} of the upgrade in some detail.</p>`;
    const page = (paragraphs: number) =>
      `<html><head><title>Manual</title></head><body>${Array.from({ length: paragraphs }, (_, i) => paragraph(i)).join('\n')}</body></html>`;
    const long = await ingest([['docs/all.html', page(120)]]);
    expect(long.state).toBe('succeeded');
    expect(long.failures).toEqual([]);
    const parts = long.documents.total;
    // 120 paragraphs of about 80 bytes: over four parts of at most 2000 bytes.
    expect(parts).toBeGreaterThanOrEqual(5);
    const ids = [
      'docs/all.html',
      ...Array.from({ length: parts - 1 }, (_, i) => `docs/all.html~part-${i + 2}`),
    ];
    for (const [i, id] of ids.entries()) {
      const chunks = await chunksOf(id);
      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks[0].metadata).toMatchObject({
        part: i + 1,
        parts,
        title: 'Manual',
        source: 'docs/all.html',
      });
      // Parts are cut between paragraphs.
      expect(chunks[0].text).toMatch(/^Paragraph \d+ of the manual/);
    }
    const stored = (await Promise.all(ids.map(textOf))).join(' ');
    expect(stored).toContain('Paragraph 0 of the manual');
    expect(stored).toContain('Paragraph 119 of the manual explains step 119');

    const again = await ingest([['docs/all.html', page(120)]]);
    expect(again.documents).toEqual({ total: parts, done: parts, unchanged: parts });

    const shorter = await ingest([['docs/all.html', page(40)]]);
    expect(shorter.documents.total).toBe(2);
    expect((await chunksOf('docs/all.html~part-2'))[0].metadata).toMatchObject({
      part: 2,
      parts: 2,
    });
    for (const stale of ids.slice(2)) expect(await chunksOf(stale)).toEqual([]);

    const fits = await ingest([['docs/all.html', page(3)]]);
    expect(fits.documents.total).toBe(1);
    expect((await chunksOf('docs/all.html'))[0].metadata).not.toHaveProperty('part');
    expect(await chunksOf('docs/all.html~part-2')).toEqual([]);
  });

  it('fails a file with more text than INGEST_MAX_FILE_TEXT_BYTES, naming it', async () => {
    const job = await ingest([
      ['huge.txt', 'word '.repeat(5000)],
      ['ok.txt', 'Small file.'],
    ]);
    expect(job.files).toEqual({ total: 2, failed: 1, skipped: 0 });
    expect(job.failures).toEqual([
      {
        file: 'huge.txt',
        reason: 'has more than 20000 bytes of text (INGEST_MAX_FILE_TEXT_BYTES)',
      },
    ]);
  });
});
