import request from 'supertest';
import type { App } from 'supertest/types';
import { INGEST_TEST_ENV, pollJob } from './support/ingest-api';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

interface JobPage {
  jobs: { id: string; collection: string; created_at: string; state: string }[];
  next_cursor: string | null;
}

describe('GET /ingest/jobs', () => {
  let testApp: TestApp;
  let http: App;
  const run = Date.now().toString(36);
  const shared = `jobs-list-${run}`;
  const secret = `jobs-list-secret-${run}`;
  const alice = () =>
    testApp.bearer([
      '--sub',
      `alice-${run}`,
      '--scope',
      'rag/write',
      '--collections',
      `${shared},${secret}`,
    ]);
  const bob = () =>
    testApp.bearer(['--sub', `bob-${run}`, '--scope', 'rag/write', '--collections', shared]);
  const admin = () => testApp.bearer(['--sub', `admin-${run}`, '--scope', 'rag/admin']);

  /** Starts a JSON job and waits for it; answers its id. */
  async function ingest(bearer: string, collection: string, text: string): Promise<string> {
    const { body } = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', bearer)
      .send({ collection, documents: [{ id: `doc-${text}`, text }] })
      .expect(202);
    const { id } = body as { id: string };
    await pollJob(http, bearer, id);
    return id;
  }

  const list = (bearer: string, query: Record<string, string | number> = {}) =>
    request(http).get('/ingest/jobs').query(query).set('Authorization', bearer);

  /** Every page from the first, following next_cursor; the ids in the order listed. */
  async function allPages(
    bearer: string,
    limit: number,
  ): Promise<{ pages: JobPage[]; ids: string[] }> {
    const pages: JobPage[] = [];
    let cursor: string | null | undefined;
    do {
      const { body } = await list(bearer, cursor ? { limit, cursor } : { limit }).expect(200);
      pages.push(body as JobPage);
      cursor = (body as JobPage).next_cursor;
    } while (cursor !== null && pages.length < 20);
    return { pages, ids: pages.flatMap((page) => page.jobs.map((job) => job.id)) };
  }

  const aliceJobs: string[] = [];
  const bobJobs: string[] = [];

  beforeAll(async () => {
    testApp = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      ...INGEST_TEST_ENV,
      INGEST_JOBS_PAGE_MAX: '3',
    });
    http = testApp.app.getHttpServer() as App;
    // Interleaved, one after the other: creation order is the order to expect, newest last.
    for (let i = 0; i < 5; i++) {
      aliceJobs.push(await ingest(alice(), i === 2 ? secret : shared, `alice ${i} ${run}`));
      if (i < 2) bobJobs.push(await ingest(bob(), shared, `bob ${i} ${run}`));
    }
  });
  afterAll(() => testApp.close());

  it("lists the caller's own jobs, newest first, a page at a time without overlap", async () => {
    const { pages, ids } = await allPages(alice(), 2);
    expect(pages.map((page) => page.jobs.length)).toEqual([2, 2, 1]);
    expect(ids).toEqual([...aliceJobs].reverse());
    const created = pages.flatMap((page) => page.jobs.map((job) => Date.parse(job.created_at)));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(pages.at(-1)?.next_cursor).toBeNull();
    expect(pages[0].jobs[0]).toMatchObject({ state: 'succeeded', collection: shared });
  });

  it('shows another user only their own jobs', async () => {
    const { ids } = await allPages(bob(), 3);
    expect(ids).toEqual([...bobJobs].reverse());
  });

  it('leaves out jobs in collections the token no longer grants', async () => {
    const narrowed = testApp.bearer([
      '--sub',
      `alice-${run}`,
      '--scope',
      'rag/write',
      '--collections',
      shared,
    ]);
    const { ids } = await allPages(narrowed, 3);
    expect(ids).toEqual([...aliceJobs].reverse().filter((id) => id !== aliceJobs[2]));
  });

  it("lists an admin's own jobs only; other users' jobs stay readable by id", async () => {
    const { body } = await list(admin()).expect(200);
    expect(body).toEqual({ jobs: [], next_cursor: null });
    await request(http)
      .get(`/ingest/jobs/${aliceJobs[0]}`)
      .set('Authorization', admin())
      .expect(200);
  });

  it('pages by INGEST_JOBS_PAGE_MAX by default and refuses a larger limit or a made-up cursor', async () => {
    const first = await list(alice()).expect(200);
    expect((first.body as JobPage).jobs).toHaveLength(3);

    const tooMany = await list(alice(), { limit: 4 }).expect(400);
    expect((tooMany.body as { message: string }).message).toMatch(/^limit: .*INGEST_JOBS_PAGE_MAX/);
    const zero = await list(alice(), { limit: 0 }).expect(400);
    expect((zero.body as { message: string }).message).toMatch(/limit/);
    const forged = await list(alice(), { cursor: 'not-a-cursor' }).expect(400);
    expect((forged.body as { message: string }).message).toMatch(/^cursor: /);
  });
});
