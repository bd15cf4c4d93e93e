import request from 'supertest';
import type { App } from 'supertest/types';
import { chunkText } from '../../src/documents/chunker';
import { VectorStore } from '../../src/vector-store/vector-store.port';
import { TestChromaServer } from '../support/chroma-server';
import { INGEST_TEST_ENV, longText } from '../support/ingest-api';
import { waitFor } from '../support/processes';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, type TestApp } from '../support/test-app';
import { allRecords, documentsOf } from './store-invariants';

const BATCH = 4;
const CHUNKING = {
  size: Number(INGEST_TEST_ENV.CHUNK_SIZE),
  overlap: Number(INGEST_TEST_ENV.CHUNK_OVERLAP),
};
const COLLECTION = 'batches';
/** An edit with fewer chunks than the version stored before it, and a new document. */
const V1 = longText('first', 12);
const V2 = longText('second', 8);
const FRESH = longText('fresh', 3);

/** Chunk id → [text, content hash] of one document as the store holds it. */
type Held = Map<string, [string, string]>;

describe('Chroma killed between the batches of a multi-batch upsert', () => {
  let chroma: TestChromaServer;
  let proxy: TcpProxy;
  let app: TestApp;
  let http: App;

  beforeAll(async () => {
    chroma = await TestChromaServer.start();
    proxy = await TcpProxy.start(chroma.url);
    app = await createTestApp({
      ...INGEST_TEST_ENV,
      CHROMA_HOST: proxy.url,
      CHROMA_UPSERT_BATCH_SIZE: String(BATCH),
      CHROMA_TIMEOUT_MS: '3000',
      HEALTH_CHECK_TIMEOUT_MS: '3000',
      REGISTRY_CACHE_MS: '0',
      THROTTLE_LIMIT: '100000',
    });
    http = app.app.getHttpServer() as App;
  }, 60_000);
  // Chroma and the proxy stop even when close() reports invalid responses.
  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await proxy?.close();
      await chroma?.destroy();
    }
  });

  const update = (documents: { id: string; text: string }[]) =>
    request(http)
      .post('/chroma/update')
      .set('Authorization', app.bearer())
      .send({ collection: COLLECTION, documents });
  const held = async (documentId: string): Promise<Held> => {
    const records = await allRecords(app.app.get(VectorStore), COLLECTION);
    return new Map(
      records
        .filter((r) => r.metadata.document_id === documentId)
        .map((r) => [r.id, [r.text, String(r.metadata.content_hash)]]),
    );
  };
  const texts = (id: string, text: string) =>
    chunkText(text, CHUNKING).map((chunk, i): [string, string] => [`${id}#${i}`, chunk]);
  const withoutHashes = (map: Held) => [...map].map(([id, [text]]) => [id, text]).sort();

  /**
   * Sends the upsert, holds its second store batch at the proxy (so the first has landed), kills
   * Chroma there and expects a 503 error body; then brings Chroma back.
   */
  const expectKilledBetweenBatches = async (documents: { id: string; text: string }[]) => {
    const second = proxy.holdAt('/upsert HTTP/1.1', 2);
    const failed = update(documents).then((answer) => answer);
    await second;
    await chroma.kill9();
    proxy.set('drop');
    const res = await failed;
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      statusCode: 503,
      error: expect.any(String),
      message: expect.any(String),
    });
    await chroma.restart();
    proxy.set('pass');
    await waitFor(async () => (await request(http).get('/health')).status === 200, 30_000);
  };

  it('answers 503, keeps every chunk id of the edited document, and a retry converges', async () => {
    await update([{ id: 'handbook', text: V1 }]).expect(200);
    const before = await held('handbook');
    const v1 = texts('handbook', V1);
    const v2 = texts('handbook', V2);
    expect(v1.length).toBeGreaterThan(v2.length);
    expect(v2.length).toBeGreaterThan(BATCH);

    await expectKilledBetweenBatches([
      { id: 'handbook', text: V2 },
      { id: 'fresh', text: FRESH },
    ]);

    // What DocumentsService promises: records are written in order, new chunks before stale
    // ones are deleted. So the edit holds the first batch of the new version and the old
    // version's other chunks, no id missing; the new document, in a later batch, is absent.
    const partial = await held('handbook');
    expect([...partial.keys()].sort()).toEqual([...before.keys()].sort());
    const expected = [...v2.slice(0, BATCH), ...v1.slice(BATCH)].sort();
    expect(withoutHashes(partial)).toEqual(expected);
    expect((await held('fresh')).size).toBe(0);

    // Upserts are idempotent by chunk id and the stored hash no longer matches: the same
    // request again writes the whole new version and deletes the old version's extra chunks.
    const retried = await update([
      { id: 'handbook', text: V2 },
      { id: 'fresh', text: FRESH },
    ]).expect(200);
    expect(retried.body.results).toEqual([
      { id: 'handbook', chunks: v2.length, status: 'updated' },
      { id: 'fresh', chunks: texts('fresh', FRESH).length, status: 'created' },
    ]);
    const converged = await held('handbook');
    expect(withoutHashes(converged)).toEqual([...v2].sort());
    expect(new Set([...converged.values()].map(([, hash]) => hash)).size).toBe(1);
    expect(withoutHashes(await held('fresh'))).toEqual(texts('fresh', FRESH).sort());
    // And once more is a no-op.
    const again = await update([{ id: 'handbook', text: V2 }]).expect(200);
    expect(again.body.results).toEqual([
      { id: 'handbook', chunks: v2.length, status: 'unchanged' },
    ]);
  }, 120_000);

  it('leaves a new document with its first batch only, and the same request again completes it', async () => {
    const text = longText('new', 6);
    const chunks = texts('new', text);
    expect(chunks.length).toBeGreaterThan(BATCH);
    await expectKilledBetweenBatches([{ id: 'new', text }]);

    // Not atomic: the first batch stays, marked with the whole document's chunk count, so the
    // store invariants see it as broken until the client retries after the 503.
    const partial = await held('new');
    expect(withoutHashes(partial)).toEqual(chunks.slice(0, BATCH).sort());
    const records = await allRecords(app.app.get(VectorStore), COLLECTION);
    expect(
      documentsOf(records.filter((r) => r.metadata.document_id === 'new')).broken,
    ).toHaveLength(1);

    await update([{ id: 'new', text }])
      .expect(200)
      .expect((res) =>
        expect(res.body.results).toEqual([{ id: 'new', chunks: chunks.length, status: 'updated' }]),
      );
    expect(withoutHashes(await held('new'))).toEqual(chunks.sort());
    const whole = documentsOf(await allRecords(app.app.get(VectorStore), COLLECTION));
    expect(whole.broken).toEqual([]);
    expect([...whole.complete.keys()].sort()).toEqual(['fresh', 'handbook', 'new']);
  }, 120_000);
});
