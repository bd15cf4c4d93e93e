import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const COLLECTION = `reindex-${Date.now().toString(36)}`;
const TOPICS = [
  'telescopes galaxies',
  'ovens spices',
  'stadium goals',
  'loans mortgage',
  'lava ash',
];
/** 80 documents of 25 paragraphs: 2,000 chunks at CHUNK_SIZE=200. */
const DOCUMENTS = Array.from({ length: 80 }, (_, d) => ({
  id: `doc-${d}`,
  text: Array.from(
    { length: 25 },
    (_, p) =>
      `Paragraph ${p} of document ${d} is about ${TOPICS[(d + p) % TOPICS.length]}, case ${d * 100 + p}, with notes on ${TOPICS[(d * 3 + p) % TOPICS.length]}. The section ends with a summary for readers.`,
  ).join('\n\n'),
  metadata: { batch: d % 5 },
}));

const ENV = {
  CHROMA_HOST: undefined as string | undefined,
  CHUNK_SIZE: '200',
  CHUNK_OVERLAP: '0',
  METRICS_ENABLED: 'false',
  REGISTRY_CACHE_MS: '200',
  REINDEX_SETTLE_MS: '200',
  REINDEX_BATCH_SIZE: '100',
  THROTTLE_LIMIT: '100000',
};
/** The new model's API also builds its generations with its own HNSW parameters. */
const NEW_MODEL = {
  EMBEDDINGS_LEXICAL_DIMENSIONS: '512',
  CHROMA_HNSW_EF_CONSTRUCTION: '64',
  CHROMA_HNSW_EF_SEARCH: '150',
  CHROMA_HNSW_MAX_NEIGHBORS: '12',
};
const NEW_INDEX = { space: 'cosine', ef_construction: 64, ef_search: 150, max_neighbors: 12 };

interface Run {
  run_id: string;
  state: string;
  done: number;
  total: number;
  target: string;
  serving?: string;
  message?: string;
  error?: string;
  search_check?: {
    probes: number;
    overlap: number | null;
    own_document_old: number | null;
    own_document_new: number;
    passed: boolean;
  };
}
interface Listed {
  name: string;
  count: number;
  compatible: boolean;
  generation: number;
  active_collection: string;
  embedder: { model: string };
  index: typeof NEW_INDEX;
}

const http = (app: TestApp) => app.app.getHttpServer() as App;
const auth = (app: TestApp) => app.bearer();

const listed = async (app: TestApp): Promise<Listed> => {
  const { body } = await request(http(app))
    .get('/chroma/collections')
    .set('Authorization', auth(app))
    .expect(200);
  return (body.collections as Listed[]).find((c) => c.name === COLLECTION) as Listed;
};

const runOf = async (app: TestApp, id: string): Promise<Run> =>
  (await request(http(app)).get(`/admin/reindex/${id}`).set('Authorization', auth(app)).expect(200))
    .body as Run;

const until = async (what: () => Promise<boolean>, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('re-index after an embedding-model change', () => {
  let app: TestApp;

  beforeAll(async () => {
    ENV.CHROMA_HOST = sharedChromaUrl();
    const old = await createTestApp(ENV);
    let chunks = 0;
    for (let i = 0; i < DOCUMENTS.length; i += 20) {
      const { body } = await request(http(old))
        .post('/chroma/update')
        .set('Authorization', auth(old))
        .send({ collection: COLLECTION, documents: DOCUMENTS.slice(i, i + 20) })
        .expect(200);
      chunks += (body.results as { chunks: number }[]).reduce((n, r) => n + r.chunks, 0);
    }
    expect(chunks).toBe(2000);
    await old.close();
    app = await createTestApp({ ...ENV, ...NEW_MODEL });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('keeps answering from the old collection, switches under load, and rolls back', async () => {
    const before = await listed(app);
    expect(before).toMatchObject({ count: 2000, compatible: false, generation: 0 });

    let stop = false;
    let queries = 0;
    const failures: string[] = [];
    const written: string[] = [];
    const deleted: string[] = [];
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const query = await request(http(app))
          .post('/chroma/query')
          .set('Authorization', auth(app))
          .send({ collection: COLLECTION, query: `notes on ${TOPICS[i % TOPICS.length]}` });
        queries++;
        if (query.status !== 200 || query.body.results.length === 0) {
          failures.push(`query ${query.status} ${JSON.stringify(query.body)}`);
        }
        const id = `live-${i}`;
        const upsert = await request(http(app))
          .post('/chroma/update')
          .set('Authorization', auth(app))
          .send({
            collection: COLLECTION,
            documents: [{ id, text: `Live document ${i} about ${TOPICS[i % TOPICS.length]}.` }],
          });
        if (upsert.status === 200) written.push(id);
        else failures.push(`upsert ${upsert.status} ${JSON.stringify(upsert.body)}`);
        if (i % 4 === 0) {
          const gone = `doc-${i / 4}`;
          const removal = await request(http(app))
            .delete(`/chroma/documents/${gone}?collection=${COLLECTION}`)
            .set('Authorization', auth(app));
          if (removal.status === 200) deleted.push(gone);
          else failures.push(`delete ${removal.status} ${JSON.stringify(removal.body)}`);
        }
      }
    })();

    const started = Date.now();
    const [first, second] = await Promise.all([
      request(http(app))
        .post('/admin/reindex')
        .set('Authorization', auth(app))
        .send({ collection: COLLECTION }),
      request(http(app))
        .post('/admin/reindex')
        .set('Authorization', auth(app))
        .send({ collection: COLLECTION }),
    ]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const accepted = (first.status === 202 ? first : second).body as Run;
    expect(accepted).toMatchObject({ state: 'building', target: `${COLLECTION}__v1` });
    // A trigger while it runs is refused too.
    await request(http(app))
      .post('/admin/reindex')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION })
      .expect(409);

    let finished!: Run;
    await until(async () => {
      finished = await runOf(app, accepted.run_id);
      return finished.state !== 'building';
    });
    const seconds = (Date.now() - started) / 1000;
    stop = true;
    await load;
    expect({ state: finished.state, error: finished.error }).toEqual({
      state: 'succeeded',
      error: undefined,
    });
    // Another embedder: the probes' own documents must still be found by the new generation.
    expect(finished.search_check).toMatchObject({ probes: 20, passed: true });
    const { own_document_old, own_document_new } = finished.search_check!;
    expect(own_document_new).toBeGreaterThanOrEqual(0.8 * own_document_old!);
    console.log(
      `re-index: ${finished.total} chunks in ${seconds.toFixed(1)} s = ${(finished.total / seconds).toFixed(0)} chunks/s; ${queries} queries, ${written.length} upserts and ${deleted.length} deletes during the run, ${failures.length} failed`,
    );
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 300)); // REGISTRY_CACHE_MS
    const after = await listed(app);
    expect(after).toMatchObject({
      compatible: true,
      generation: 1,
      active_collection: `${COLLECTION}__v1`,
      count: 2000 + written.length - 25 * deleted.length,
    });
    expect(after.embedder.model).toContain('lex512');
    // The generation was created with the new API's HNSW parameters.
    expect(after.index).toEqual(NEW_INDEX);
    for (const [ids, status] of [
      [written, 200],
      [deleted, 404],
    ] as const) {
      for (const id of ids) {
        await request(http(app))
          .get(`/chroma/documents/${id}?collection=${COLLECTION}`)
          .set('Authorization', auth(app))
          .expect(status);
      }
    }
    await request(http(app))
      .post('/chroma/query')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION, query: 'lava ash' })
      .expect(200);

    // Rollback serves the old generation again, with the old embedder.
    const rolled = await request(http(app))
      .post('/admin/reindex/rollback')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION })
      .expect(200);
    expect(rolled.body).toMatchObject({
      active: { name: COLLECTION, generation: 0 },
      previous: { name: `${COLLECTION}__v1`, generation: 1 },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await listed(app)).toMatchObject({ generation: 0, compatible: false });
    // The run's status says it was rolled back, and which generation serves now.
    expect(await runOf(app, accepted.run_id)).toMatchObject({
      state: 'rolled_back',
      target: `${COLLECTION}__v1`,
      serving: COLLECTION,
    });
    // Without a body, rollback (like reindex) means DEFAULT_COLLECTION: never re-indexed here.
    const { body: noBody } = await request(http(app))
      .post('/admin/reindex/rollback')
      .set('Authorization', auth(app))
      .expect(404);
    expect(noBody.message).toBe("collection generations of 'docs' was not found");
    const answer = await request(http(app))
      .post('/chroma/query')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION, query: 'telescopes galaxies' })
      .expect(200);
    expect(answer.body.results.length).toBeGreaterThan(0);
  }, 180_000);

  it('leaves the active generation serving when stopped half way, and a re-run completes', async () => {
    const { body: accepted } = await request(http(app))
      .post('/admin/reindex')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION, force: true })
      .expect(202);
    await until(async () => (await runOf(app, accepted.run_id)).done > 0);
    await app.close();

    app = await createTestApp({ ...ENV, ...NEW_MODEL });
    expect(await runOf(app, accepted.run_id)).toMatchObject({ state: 'failed' });
    expect(await listed(app)).toMatchObject({ generation: 0, count: expect.any(Number) });
    await request(http(app))
      .post('/chroma/query')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION, query: 'stadium goals' })
      .expect(200);

    const { body: rerun } = await request(http(app))
      .post('/admin/reindex')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION })
      .expect(202);
    let finished!: Run;
    await until(async () => {
      finished = await runOf(app, rerun.run_id);
      return finished.state !== 'building';
    });
    // v1 was built, v2 interrupted: generation numbers are never reused.
    expect(finished).toMatchObject({ state: 'succeeded', target: `${COLLECTION}__v3` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await listed(app)).toMatchObject({ compatible: true, generation: 3 });
    // Already on the configured embedder: nothing to do.
    const { body: noop } = await request(http(app))
      .post('/admin/reindex')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION })
      .expect(200);
    expect(noop).toMatchObject({ run_id: null, state: 'up_to_date' });
    expect(noop.message).toMatch(/already uses the configured embedder.*"force": true/);
  }, 180_000);

  it('does not switch to a generation whose search disagrees, and says why with figures', async () => {
    const serving = await listed(app);
    await app.close();
    // A degenerate index (2 links per node, tiny breadths) and full agreement required.
    app = await createTestApp({
      ...ENV,
      ...NEW_MODEL,
      CHROMA_HNSW_EF_CONSTRUCTION: '2',
      CHROMA_HNSW_EF_SEARCH: '1',
      CHROMA_HNSW_MAX_NEIGHBORS: '2',
      REINDEX_PROBE_MIN_AGREEMENT: '1',
    });
    const { body: accepted } = await request(http(app))
      .post('/admin/reindex')
      .set('Authorization', auth(app))
      .send({ collection: COLLECTION, force: true })
      .expect(202);
    let finished!: Run;
    await until(async () => {
      finished = await runOf(app, accepted.run_id);
      return finished.state !== 'building';
    });
    expect(finished).toMatchObject({
      state: 'failed',
      serving: serving.active_collection,
      search_check: { probes: 20, passed: false },
    });
    expect(finished.search_check!.overlap).toBeLessThan(1);
    expect(finished.error).toMatch(
      /^search verification failed: mean overlap@10 of top documents 0\.\d\d, .* the new generation was not switched to$/,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await listed(app)).toMatchObject({
      generation: serving.generation,
      active_collection: serving.active_collection,
    });
  }, 180_000);
});
