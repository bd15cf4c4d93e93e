import request from 'supertest';
import type { App } from 'supertest/types';
import { docxBombFixture, pdfBombFixture } from '../../src/ingest/ingest.fixtures';
import { JOBS_COLLECTION } from '../../src/ingest/ingest-job.store';
import { VectorStore } from '../../src/vector-store/vector-store.port';
import {
  INGEST_TEST_ENV,
  longText,
  pollJob,
  startIngestApp,
  type JobBody,
} from '../support/ingest-api';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';
import { allRecords } from './store-invariants';

const SUFFIX = Date.now().toString(36);
const GiB = 1024 ** 3;
const MB = 1_000_000;

/** Peak RSS of this process (the API runs in it) above its level when `work` starts. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const poll = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMb: Math.round((peak - before) / MB) };
  } finally {
    clearInterval(poll);
  }
}

const recordIds = async (store: VectorStore, collection: string): Promise<string[]> =>
  (await allRecords(store, collection).catch(() => [])).map((record) => record.id).sort();

describe('decompression bombs (issue 17, finding 3)', () => {
  let app: TestApp;
  let http: App;
  let admin: string;
  let store: VectorStore;

  beforeAll(async () => {
    // Default extraction limits: INGEST_MAX_DECOMPRESSED_BYTES, INGEST_EXTRACT_WORKER_MAX_HEAP_MB.
    ({ app, http, admin, store } = await startIngestApp());
  });
  afterAll(() => app?.close());

  it('fails a 1 GiB DOCX and a 1 GiB PDF bomb per file naming the limit, memory bounded, nothing stored', async () => {
    const collection = `bombs-${SUFFIX}`;
    const docx = await docxBombFixture(GiB);
    const pdf = await pdfBombFixture(GiB);
    expect(docx.length + pdf.length).toBeLessThan(3 * MB);
    const started = Date.now();
    const { result: job, growthMb } = await rssGrowth(async () => {
      const { body } = await request(http)
        .post('/ingest/jobs')
        .set('Authorization', admin)
        .field('collection', collection)
        .attach('files', docx, 'zeros.docx')
        .attach('files', pdf, 'zeros.pdf')
        .expect(202);
      return (await pollJob(http, admin, (body as JobBody).id)).job;
    });
    console.log(`bombs: ${Date.now() - started} ms, RSS +${growthMb} MB`);
    expect(job.files).toEqual({ total: 2, failed: 2, skipped: 0 });
    for (const failure of job.failures) {
      expect(failure.reason).toMatch(
        /inflates to more than \d+ bytes \(INGEST_MAX_DECOMPRESSED_BYTES\)/,
      );
    }
    // Before: +1.1 GB (DOCX) and +1.7 GB (PDF) for the same bombs.
    expect(growthMb).toBeLessThan(400);
    expect(await recordIds(store, collection)).toEqual([]);
  });
});

describe('work after the request deadline (issue 17, finding 6)', () => {
  let app: TestApp;
  let http: App;
  let admin: string;
  let store: VectorStore;

  beforeAll(async () => {
    app = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      ...INGEST_TEST_ENV,
      REQUEST_TIMEOUT_MS: '2000',
      // Each slow file fails alone at 1 s; six of them, two at a time, outlast the deadline.
      INGEST_EXTRACT_TIMEOUT_MS: '1000',
      INGEST_MAX_DECOMPRESSED_BYTES: String(2 * GiB),
    });
    http = app.app.getHttpServer() as App;
    admin = app.bearer();
    store = app.app.get(VectorStore);
  });
  afterAll(() => app?.close());

  it('answers 503 at the deadline and leaves no job and no records behind', async () => {
    const collection = `deadline-${SUFFIX}`;
    const slow = await pdfBombFixture(GiB / 2);
    const jobsBefore = await recordIds(store, JOBS_COLLECTION);
    const req = request(http)
      .post('/ingest/jobs')
      .set('Authorization', admin)
      .field('collection', collection)
      .attach('files', Buffer.from(longText('deadline', 3)), 'readable.md');
    for (let i = 0; i < 6; i++) req.attach('files', slow, `slow-${i}.pdf`);
    const started = Date.now();
    const res = await req;
    const answeredMs = Date.now() - started;
    expect(res.status).toBe(503);
    expect(answeredMs).toBeLessThan(2900);
    // Before: the job appeared once the last file had been tried, after the 503.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await recordIds(store, JOBS_COLLECTION)).toEqual(jobsBefore);
    expect(await recordIds(store, collection)).toEqual([]);
  });
});
