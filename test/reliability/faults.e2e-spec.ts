import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { VectorStore } from '../../src/vector-store/vector-store.port';
import { TestChromaServer } from '../support/chroma-server';
import { ApiProcess } from '../support/deploy-api-process';
import { INGEST_TEST_ENV, longText, pollJob } from '../support/ingest-api';
import { processesUsing, waitFor } from '../support/processes';
import { createTestApp, type TestApp } from '../support/test-app';
import { allRecords, documentsOf } from './store-invariants';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const ENV = {
  ...INGEST_TEST_ENV,
  CHROMA_TIMEOUT_MS: '2000',
  REGISTRY_CACHE_MS: '200',
  REINDEX_SETTLE_MS: '100',
  REINDEX_BATCH_SIZE: '50',
  // An interrupted run's lease must lapse within the test, not after the default minute.
  REINDEX_LEASE_MS: '2000',
  THROTTLE_LIMIT: '100000',
  METRICS_ENABLED: 'false',
};
const LOOP_LIMIT = 400;

/** Parent pid of a process (field 4 of /proc/<pid>/stat, after the parenthesised name). */
const parentOf = (pid: number): number =>
  Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);

/** Counts printed at the end and copied into RELIABILITY.md. */
const tally = { faults: 0, acknowledged: 0, unacknowledged: 0, jobs: [] as string[] };
afterAll(() => console.log(`faults: ${JSON.stringify(tally)}`));

const http = (app: TestApp) => app.app.getHttpServer() as App;

/**
 * Upserts one multi-chunk document per round (and queries) until `stop()` or LOOP_LIMIT rounds,
 * remembering which writes the API acknowledged.
 */
function writeLoop(send: (path: string, body: object) => Promise<number>, prefix: string) {
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; i < LOOP_LIMIT && !stopped; i++) {
      const id = `${prefix}-${i}`;
      const status = await send('/chroma/update', {
        collection: 'faults',
        documents: [{ id, text: longText(`${prefix}${i}`, 3) }],
      }).catch(() => 0);
      (status === 200 ? acknowledged : refused).push(id);
      await send('/chroma/query', { collection: 'faults', query: `${prefix} procedure` }).catch(
        () => 0,
      );
    }
  })();
  return {
    acknowledged,
    refused,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** Every acknowledged document is whole; unacknowledged ones are whole or absent. */
async function expectConsistent(app: TestApp, acknowledged: string[], unacknowledged: string[]) {
  const { complete, broken } = documentsOf(await allRecords(app.app.get(VectorStore), 'faults'));
  expect(broken).toEqual([]);
  expect(acknowledged.filter((id) => !complete.has(id))).toEqual([]);
  tally.acknowledged += acknowledged.length;
  tally.unacknowledged += unacknowledged.length;
}

const healthy = (app: TestApp) => async () =>
  (await request(http(app)).get('/health')).status === 200;

describe('faults against real processes', () => {
  let chroma: TestChromaServer;
  let app: TestApp;

  beforeAll(async () => {
    chroma = await TestChromaServer.start();
    app = await createTestApp({ ...ENV, CHROMA_HOST: chroma.url });
  }, 60_000);
  // Chroma is stopped even when close() reports invalid responses, so no server outlives the run.
  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await chroma?.destroy();
    }
  });

  const crashChroma = async () => {
    await chroma.kill9();
    tally.faults++;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await chroma.restart();
    await waitFor(healthy(app), 30_000);
  };

  it('keeps every acknowledged upsert whole when Chroma is killed during a query+upsert loop', async () => {
    const loop = writeLoop(async (path, body) => {
      const res = await request(http(app)).post(path).set('Authorization', app.bearer()).send(body);
      // Chroma down must look like 503/504, never a 500.
      if (res.status >= 500) expect([503, 504]).toContain(res.status);
      return res.status;
    }, 'loop');
    await waitFor(() => loop.acknowledged.length >= 10, 30_000);
    await crashChroma();
    const before = loop.acknowledged.length;
    await waitFor(() => loop.acknowledged.length >= before + 10, 30_000);
    await loop.stop();
    expect(loop.refused.length).toBeGreaterThan(0);
    await expectConsistent(app, loop.acknowledged, loop.refused);
  }, 90_000);

  it('finishes or fails an ingest job cleanly when Chroma is killed mid-job, never half a document', async () => {
    const documents = Array.from({ length: 60 }, (_, i) => ({
      id: `job/${i}`,
      text: longText(`ingest${i}`, 4),
    }));
    const { body } = await request(http(app))
      .post('/ingest/jobs')
      .set('Authorization', app.bearer())
      .send({ collection: 'faults', documents })
      .expect(202);
    await pollJob(http(app), app.bearer(), body.id, (job) => job.chunks.done > 0);
    await crashChroma();
    const { job } = await pollJob(http(app), app.bearer(), body.id, undefined, 90_000);
    tally.jobs.push(job.state);
    expect(['succeeded', 'failed']).toContain(job.state);
    const ids = documents.map((d) => d.id);
    await expectConsistent(
      app,
      job.state === 'succeeded' ? ids : [],
      job.state === 'succeeded' ? [] : ids,
    );
  }, 120_000);

  it('keeps the active generation serving when Chroma is killed during a re-index, and a re-run completes', async () => {
    const before = documentsOf(await allRecords(app.app.get(VectorStore), 'faults')).complete;
    await app.close({ keepData: true });
    app = await createTestApp({
      ...ENV,
      CHROMA_HOST: chroma.url,
      DATA_DIR: app.dataDir,
      EMBEDDINGS_LEXICAL_DIMENSIONS: '512',
    });
    const reindex = () =>
      request(http(app))
        .post('/admin/reindex')
        .set('Authorization', app.bearer())
        .send({ collection: 'faults' });
    const { body: run } = await reindex().expect(202);
    await waitFor(
      async () =>
        (
          await request(http(app))
            .get(`/admin/reindex/${run.run_id}`)
            .set('Authorization', app.bearer())
        ).body.done > 0,
      60_000,
    );
    await crashChroma();
    await request(http(app))
      .post('/chroma/query')
      .set('Authorization', app.bearer())
      .send({ collection: 'faults', query: 'loop procedure' })
      .expect(200);

    // Whatever the interrupted run did, a new trigger ends on the new embedder with every document.
    await waitFor(async () => {
      const { body: state } = await request(http(app))
        .get(`/admin/reindex/${run.run_id}`)
        .set('Authorization', app.bearer());
      return state.state !== 'building';
    }, 90_000);
    const rerun = await reindex();
    if (rerun.status === 202) {
      await waitFor(async () => {
        const { body: state } = await request(http(app))
          .get(`/admin/reindex/${rerun.body.run_id}`)
          .set('Authorization', app.bearer());
        return state.state === 'succeeded';
      }, 90_000);
    } else expect(rerun.body).toMatchObject({ state: 'up_to_date' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // REGISTRY_CACHE_MS
    const { body: listed } = await request(http(app))
      .get('/chroma/collections')
      .set('Authorization', app.bearer())
      .expect(200);
    const active = listed.collections.find((c: { name: string }) => c.name === 'faults');
    expect(active).toMatchObject({ compatible: true });
    const after = documentsOf(await allRecords(app.app.get(VectorStore), active.active_collection));
    expect(after.broken).toEqual([]);
    expect([...after.complete.entries()].sort()).toEqual([...before.entries()].sort());
    tally.acknowledged += before.size;
  }, 240_000);
});

describe('the API process killed with SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rag-api-kill-'));
  let chroma: TestChromaServer;

  beforeAll(async () => {
    chroma = await TestChromaServer.start();
  }, 60_000);
  afterAll(async () => {
    await chroma?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged write and a new API resumes the interrupted ingest job', async () => {
    const env = { ...ENV, CHROMA_HOST: chroma.url, DATA_DIR: dataDir };
    // The in-process app creates the local issuer keys the child process then trusts.
    let app = await createTestApp(env);
    const bearer = app.bearer();
    await app.close({ keepData: true });

    const api = await ApiProcess.start(env);
    const post = (path: string, body: object) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { Authorization: bearer, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const loop = writeLoop(async (path, body) => (await post(path, body)).status, 'api');
    let job: { id: string };
    try {
      await waitFor(() => loop.acknowledged.length >= 10, 30_000);
      job = (await (
        await post('/ingest/jobs', {
          collection: 'faults',
          documents: Array.from({ length: 40 }, (_, i) => ({
            id: `api-job/${i}`,
            text: longText(`apijob${i}`, 4),
          })),
        })
      ).json()) as { id: string };
      // Only our own child: another `node dist/main.js` on this machine is not ours to kill.
      const [pid] = processesUsing(MAIN).filter((candidate) => parentOf(candidate) === process.pid);
      expect(pid).toBeDefined();
      process.kill(pid, 'SIGKILL');
      tally.faults++;
    } finally {
      await loop.stop();
      await api.stop();
    }

    app = await createTestApp(env);
    try {
      const { job: finished } = await pollJob(http(app), bearer, job.id, undefined, 90_000);
      tally.jobs.push(finished.state);
      expect(finished.state).toBe('succeeded');
      const jobDocs = Array.from({ length: 40 }, (_, i) => `api-job/${i}`);
      await expectConsistent(app, [...loop.acknowledged, ...jobDocs], loop.refused);
    } finally {
      await app.close({ keepData: true });
    }
  }, 180_000);
});
