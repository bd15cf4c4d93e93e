import request from 'supertest';
import type { App } from 'supertest/types';
import type { VectorStore } from '../../src/vector-store/vector-store.port';
import { pollJob, relativeName, startIngestApp, type JobBody } from '../support/ingest-api';
import type { TestApp } from '../support/test-app';
import { allRecords } from './store-invariants';

const SUFFIX = Date.now().toString(36);
/** The first bytes of an x86-64 ELF executable: magic, class, endianness, version, padding. */
const ELF = Buffer.concat([
  Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'),
  Buffer.alloc(56),
  Buffer.from('text after the header'),
]);

describe('confusing ids and binary uploads (issue 17, finding 10)', () => {
  let app: TestApp;
  let http: App;
  let admin: string;
  let store: VectorStore;

  beforeAll(async () => {
    ({ app, http, admin, store } = await startIngestApp());
  });
  afterAll(() => app?.close());

  it.each([
    ['only a space', ' '],
    ['only an ideographic space', '\u3000'],
    ['a zero-width space (U+200B)', 'hand\u200bbook'],
    ['a bidi override (U+202E)', 'invoice\u202etxt.exe'],
  ])('refuses an id of %s with 400 naming the field', async (_, id) => {
    const collection = `ids-${SUFFIX}`;
    const before = await allRecords(store, collection).catch(() => []);
    for (const path of ['/chroma/update', '/ingest/jobs']) {
      const res = await request(http)
        .post(path)
        .set('Authorization', admin)
        .send({ collection, documents: [{ id, text: 'x' }] });
      expect([path, res.status]).toEqual([path, 400]);
      expect(JSON.stringify(res.body)).toMatch(/documents(\[0\]|\.0)\.id/);
    }
    expect(await allRecords(store, collection).catch(() => [])).toEqual(before);
  });

  it('gives distinct upload names distinct ids and refuses binary content', async () => {
    const collection = `uploads-${SUFFIX}`;
    const files: [string, Buffer][] = [
      ['x#1.txt', Buffer.from('the hash file')],
      ['x%231.txt', Buffer.from('the percent file')],
      ['tool', ELF],
      ['tool.txt', ELF],
    ];
    const req = request(http)
      .post('/ingest/jobs')
      .set('Authorization', admin)
      .field('collection', collection);
    for (const [name, bytes] of files) req.attach('files', bytes, relativeName(name));
    const { body } = await req.expect(202);
    const { job } = await pollJob(http, admin, (body as JobBody).id);
    expect(job.files).toEqual({ total: 4, failed: 2, skipped: 0 });
    const reasons = Object.fromEntries(job.failures.map((f) => [f.file, f.reason]));
    expect(reasons).toEqual({
      tool: expect.stringMatching(/binary/),
      'tool.txt': expect.stringMatching(/binary/),
    });
    const texts = Object.fromEntries(
      (await allRecords(store, collection)).map((r) => [r.metadata.document_id, r.text]),
    );
    expect(texts).toEqual({ 'x%231.txt': 'the hash file', 'x%25231.txt': 'the percent file' });
  });
});
