import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { JOBS_COLLECTION } from '../src/ingest/ingest-job.store';
import { VectorStore } from '../src/vector-store/vector-store.port';
import { TestChromaServer } from './support/chroma-server';
import {
  INGEST_TEST_ENV,
  longText,
  pollJob,
  relativeName,
  startIngestApp,
  type JobBody,
} from './support/ingest-api';
import { docxFixture, pdfFixture } from '../src/ingest/ingest.fixtures';
import { waitFor } from './support/processes';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

type Upload = [name: string, content: string | Buffer];

describe('ingest jobs API', () => {
  let testApp: TestApp;
  let http: App;
  let store: VectorStore;
  let admin: string;
  const collection = `ingest-${Date.now()}`;

  const upload = (files: Upload[], bearer = admin, target = collection) => {
    const req = request(http)
      .post('/ingest/jobs')
      .set('Authorization', bearer)
      .field('collection', target);
    for (const [name, content] of files) {
      req.attach(
        'files',
        Buffer.isBuffer(content) ? content : Buffer.from(content),
        relativeName(name),
      );
    }
    return req;
  };
  const ingest = async (files: Upload[]): Promise<JobBody> => {
    const { body } = await upload(files).expect(202);
    return (await pollJob(http, admin, (body as JobBody).id)).job;
  };
  const chunksOf = (documentId: string) =>
    store.find(collection, { document_id: { $eq: documentId } });

  beforeAll(async () => {
    ({ app: testApp, http, admin, store } = await startIngestApp());
  });
  afterAll(() => testApp.close());

  it('ingests every format into chunks with consistent file_type and page metadata', async () => {
    const job = await ingest([
      ['guide/readme.md', '# Setup\n\nRun the installer twice.'],
      ['notes.txt', 'Plain notes about the coffee machine.'],
      [
        'site/page.html',
        '<html><head><title>Portal</title></head><body><nav>Menu</nav><p>The portal opens at nine.</p><footer>Legal</footer></body></html>',
      ],
      [
        'manual.pdf',
        await pdfFixture(['Page one covers the battery.', 'Page two covers the lid.']),
      ],
      ['letters/offer.docx', await docxFixture(['Offer letter', 'Start on Monday.'])],
    ]);
    expect(job).toMatchObject({
      state: 'succeeded',
      progress: 100,
      files: { total: 5, failed: 0 },
      documents: { total: 6, done: 6, unchanged: 0 },
    });
    expect(job.chunks.done).toBe(job.chunks.total);
    const types = Object.fromEntries(
      await Promise.all(
        [
          'guide/readme.md',
          'notes.txt',
          'site/page.html',
          'manual.pdf/page-2',
          'letters/offer.docx',
        ].map(async (id) => [id, (await chunksOf(id))[0]?.metadata.file_type]),
      ),
    );
    expect(types).toEqual({
      'guide/readme.md': 'md',
      'notes.txt': 'txt',
      'site/page.html': 'html',
      'manual.pdf/page-2': 'pdf',
      'letters/offer.docx': 'docx',
    });
    const [page2] = await chunksOf('manual.pdf/page-2');
    expect(page2).toMatchObject({
      text: 'Page two covers the lid.',
      metadata: { page: 2, pages: 2, source: 'manual.pdf' },
    });
    const [html] = await chunksOf('site/page.html');
    expect(html.text).toBe('The portal opens at nine.');
    expect(html.metadata.title).toBe('Portal');
  });

  it('reports corrupt, unsupported and unsafe files per file and ingests the rest', async () => {
    const job = await ingest([
      ['mixed/ok.md', 'Fine content survives.'],
      ['mixed/broken.pdf', Buffer.from('%PDF-1.7 this is not a real pdf')],
      ['mixed/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])],
      ['../../etc/passwd', 'root:x:0:0'],
      ['/abs/path.txt', 'absolute'],
    ]);
    expect(job.state).toBe('succeeded');
    expect(job.files).toEqual({ total: 5, failed: 4, skipped: 0 });
    expect(job.documents.done).toBe(1);
    const reasons = Object.fromEntries(job.failures.map((f) => [f.file, f.reason]));
    expect(reasons['mixed/broken.pdf']).toMatch(/unreadable PDF/);
    expect(reasons['mixed/logo.png']).toMatch(/unsupported/);
    expect(reasons['../../etc/passwd']).toMatch(/\.\./);
    expect(reasons['/abs/path.txt']).toMatch(/relative/);
    expect(await chunksOf('etc/passwd')).toEqual([]);
  });

  it('skips an unchanged folder and replaces the chunks of an edited file', async () => {
    const folder: Upload[] = [
      ['again/a.md', longText('alpha', 3)],
      ['again/b.pdf', await pdfFixture(['First page.', 'Second page.', 'Third page.'])],
    ];
    const first = await ingest(folder);
    expect(first.documents.unchanged).toBe(0);
    const second = await ingest(folder);
    expect(second.documents).toEqual({ total: 4, done: 4, unchanged: 4 });
    expect(second.chunks.unchanged).toBe(second.chunks.total);

    const edited = await ingest([
      ['again/a.md', 'Alpha is now one short paragraph.'],
      ['again/b.pdf', await pdfFixture(['First page, edited.'])],
    ]);
    expect(edited.documents.unchanged).toBe(0);
    expect((await chunksOf('again/a.md')).map((c) => c.text)).toEqual([
      'Alpha is now one short paragraph.',
    ]);
    expect((await chunksOf('again/b.pdf/page-1'))[0].text).toBe('First page, edited.');
    // The pages the shorter version no longer has are gone.
    expect(await chunksOf('again/b.pdf/page-2')).toEqual([]);
    expect(await chunksOf('again/b.pdf/page-3')).toEqual([]);
  });

  it('accepts JSON documents and shows progress while running', async () => {
    const documents = Array.from({ length: 40 }, (_, i) => ({
      id: `json/${i}`,
      text: longText(`topic${i}`, 6),
      metadata: { team: 'ops' },
    }));
    const { body } = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', admin)
      .send({ collection, documents })
      .expect(202);
    expect(body).toMatchObject({ state: 'queued', progress: 0, files: { total: 40 } });
    const { job, seen } = await pollJob(http, admin, body.id);
    expect(job.state).toBe('succeeded');
    const partial = seen.filter((s) => s.state === 'running' && s.progress > 0 && s.progress < 100);
    expect(partial.length).toBeGreaterThan(0);
    const progress = seen.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect((await chunksOf('json/7'))[0].metadata).toMatchObject({ team: 'ops', file_type: 'txt' });
  });

  it('cancels a running job', async () => {
    const documents = Array.from({ length: 100 }, (_, i) => ({
      id: `cancel/${i}`,
      text: longText(`cancel${i}`, 8),
    }));
    const { body } = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', admin)
      .send({ collection, documents })
      .expect(202);
    await pollJob(http, admin, body.id, (job) => job.state === 'running');
    await request(http).delete(`/ingest/jobs/${body.id}`).set('Authorization', admin).expect(200);
    const { job } = await pollJob(http, admin, body.id);
    expect(job.state).toBe('cancelled');
    expect(job.chunks.done).toBeLessThan(job.chunks.total);
    await request(http).delete(`/ingest/jobs/${body.id}`).set('Authorization', admin).expect(409);
  });

  it('hides other users’ jobs and requires the write role', async () => {
    const { body } = await upload([['own.md', 'Mine.']]).expect(202);
    const other = testApp.bearer(['--sub', 'someone-else', '--scope', 'rag/write']);
    await request(http).get(`/ingest/jobs/${body.id}`).set('Authorization', other).expect(404);
    const reader = testApp.bearer(['--sub', 'reader', '--scope', 'rag/read']);
    await upload([['x.md', 'x']], reader).expect(403);
    await upload([['x.md', 'x']], admin, 'rag-system-jobs').expect(400);
  });
});

describe('ingest limits', () => {
  let testApp: TestApp;
  let http: App;

  beforeAll(async () => {
    testApp = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      ...INGEST_TEST_ENV,
      INGEST_MAX_FILE_BYTES: '1000',
      INGEST_MAX_FILES: '3',
      INGEST_MAX_JOBS_PER_USER: '1',
      INGEST_CONCURRENCY: '1',
      INGEST_SETTLE_MS: '1000',
    });
    http = testApp.app.getHttpServer() as App;
  });
  afterAll(() => testApp.close());

  it('answers 413 for an oversized file or too many files', async () => {
    const bearer = testApp.bearer(['--sub', 'limits-413', '--scope', 'rag/write']);
    const big = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', bearer)
      .attach('files', Buffer.alloc(1001, 'a'), 'big.txt')
      .expect(413);
    expect(big.body).toMatchObject({
      statusCode: 413,
      message: expect.stringMatching(/INGEST_MAX_FILE_BYTES/),
    });
    const many = request(http).post('/ingest/jobs').set('Authorization', bearer);
    for (let i = 0; i < 4; i++) many.attach('files', Buffer.from('x'), `f${i}.txt`);
    expect((await many.expect(413)).body.message).toMatch(/INGEST_MAX_FILES/);
  });

  it('answers 429 with Retry-After when the caller has too many jobs', async () => {
    const bearer = testApp.bearer(['--sub', 'limits-429', '--scope', 'rag/write']);
    const send = () =>
      request(http)
        .post('/ingest/jobs')
        .set('Authorization', bearer)
        .send({ documents: [{ id: 'limits/a', text: 'Some text.' }] });
    // The settle time keeps the first job unfinished long enough.
    const first = await send().expect(202);
    const refused = await send().expect(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body.message).toMatch(/INGEST_MAX_JOBS_PER_USER/);
    await pollJob(http, bearer, first.body.id);
    await send().expect(202);
  });
});

describe('ingest across a restart', () => {
  it('resumes a job another task was running, to success', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rag-ingest-restart-'));
    const env = {
      CHROMA_HOST: sharedChromaUrl(),
      DATA_DIR: dataDir,
      ...INGEST_TEST_ENV,
      INGEST_BATCH_CHUNKS: '20',
      INGEST_PIPELINE_DEPTH: '1',
    };
    const collection = `ingest-restart-${Date.now()}`;
    const documents = Array.from({ length: 150 }, (_, i) => ({
      id: `restart/${i}`,
      text: longText(`restart${i}`, 6),
    }));
    const first = await createTestApp(env);
    const bearer = first.bearer();
    const { body } = await request(first.app.getHttpServer() as App)
      .post('/ingest/jobs')
      .set('Authorization', bearer)
      .send({ collection, documents })
      .expect(202);
    const { job: midway } = await pollJob(
      first.app.getHttpServer() as App,
      bearer,
      body.id,
      (job) => job.progress > 10,
    );
    expect(midway.state).toBe('running');
    await first.close();

    const second = await createTestApp(env);
    try {
      const http = second.app.getHttpServer() as App;
      const { job } = await pollJob(http, second.bearer(), body.id);
      expect(job.state).toBe('succeeded');
      expect(job.chunks.done).toBe(job.chunks.total);
      const stored = await second.app.get(VectorStore).describeCollection(collection);
      expect(stored?.count).toBe(job.chunks.total);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('ingest job retention', () => {
  it('deletes a finished job and its records once INGEST_JOB_RETENTION_MS has passed', async () => {
    // A Chroma of its own: this app's sweep deletes every finished job past a one-second retention.
    const chroma = await TestChromaServer.start();
    const testApp = await createTestApp({
      CHROMA_HOST: chroma.url,
      ...INGEST_TEST_ENV,
      INGEST_JOB_RETENTION_MS: '1000',
    });
    try {
      const http = testApp.app.getHttpServer() as App;
      const bearer = testApp.bearer();
      const store = testApp.app.get(VectorStore);
      const collection = `ingest-retention-${Date.now()}`;
      const { body } = await request(http)
        .post('/ingest/jobs')
        .set('Authorization', bearer)
        .send({ collection, documents: [{ id: 'kept/a', text: 'Chunks stay; job records go.' }] })
        .expect(202);
      const { job } = await pollJob(http, bearer, (body as JobBody).id);
      expect(job.state).toBe('succeeded');
      const status = async () =>
        (await request(http).get(`/ingest/jobs/${job.id}`).set('Authorization', bearer)).status;
      await waitFor(async () => (await status()) === 404, 15_000);
      expect(await store.find(JOBS_COLLECTION, { job_id: { $eq: job.id } })).toEqual([]);
      expect(await store.find(collection, { document_id: { $eq: 'kept/a' } })).toHaveLength(1);
    } finally {
      await testApp.close();
      await chroma.stop();
      rmSync(chroma.dir, { recursive: true, force: true });
    }
  });
});
