import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EmbedderMismatchError,
  InvalidInputError,
  NotFoundError,
  UpstreamTimeoutError,
  VectorStoreUnavailableError,
} from '../src/common/domain-errors';
import { HNSW_DEFAULTS } from '../src/config/env.schema';
import type { EmbedderFingerprint } from '../src/embeddings/embedder.port';
import {
  ChromaHttpStore,
  chromaEndpoint,
  createChromaClient,
} from '../src/vector-store/chroma-http.store';
import { ChromaRestQuery } from '../src/vector-store/chroma-rest.query';
import { findFreePort } from '../src/vector-store/chroma-server.process';
import { RequestDeadline } from '../src/vector-store/request-deadline';
import type { HnswSettings } from '../src/vector-store/vector-store.config';
import type { VectorRecord } from '../src/vector-store/vector-store.port';

const FP: EmbedderFingerprint = { provider: 'test', model: 'unit', dimension: 3 };

const storeAt = (url: string, timeoutMs = 10_000, hnsw?: HnswSettings): ChromaHttpStore => {
  const deadline = new RequestDeadline('the vector store');
  return new ChromaHttpStore(createChromaClient({ url, authHeader: 'Authorization' }, deadline), {
    strategy: 'http',
    timeoutMs,
    deadline,
    hnsw,
  });
};

/** The store as the app builds it for a self-hosted server: queries and upserts over REST. */
const restStoreAt = (url: string): ChromaHttpStore => {
  const deadline = new RequestDeadline('the vector store');
  const config = { url, authHeader: 'Authorization' as const };
  const endpoint = chromaEndpoint(config);
  if (!endpoint) throw new Error('a self-hosted server has an endpoint');
  return new ChromaHttpStore(createChromaClient(config, deadline), {
    strategy: 'http',
    timeoutMs: 10_000,
    deadline,
    restQuery: new ChromaRestQuery(endpoint, { max: 8, idleMs: 5_000 }),
  });
};

let sequence = 0;
const uniqueName = (): string => `e2e-${process.pid}-${Date.now()}-${++sequence}`;

const record = (id: string, embedding: number[], metadata: VectorRecord['metadata'] = {}) => ({
  id,
  embedding,
  text: `text of ${id}`,
  metadata,
});

describe('ChromaHttpStore against a real Chroma server', () => {
  const url = process.env.TEST_CHROMA_URL as string;
  const store = storeAt(url);

  it('answers its heartbeat', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(store.heartbeat()).resolves.toBeUndefined();
  });

  it('creates a collection with the fingerprint, and ensures it idempotently', async () => {
    const name = uniqueName();
    await expect(store.describeCollection(name)).resolves.toBeUndefined();
    await expect(store.ensureCollection(name, FP)).resolves.toEqual({
      name,
      count: 0,
      fingerprint: FP,
    });
    // A fresh store has no cached handle, so this reads what the server stored.
    const other = storeAt(url);
    await expect(other.ensureCollection(name, FP)).resolves.toMatchObject({ count: 0 });
    const index = {
      space: 'cosine',
      efConstruction: HNSW_DEFAULTS.efConstruction,
      efSearch: HNSW_DEFAULTS.efSearch,
      maxNeighbors: HNSW_DEFAULTS.maxNeighbors,
    };
    await expect(other.describeCollection(name)).resolves.toEqual({
      name,
      count: 0,
      fingerprint: FP,
      index,
    });
    const listed = await other.listCollections();
    expect(listed.find((info) => info.name === name)).toEqual({
      name,
      count: 0,
      fingerprint: FP,
      index,
    });
  });

  it('creates a collection with the configured HNSW parameters, as the server reports them', async () => {
    const name = uniqueName();
    const hnsw = { efConstruction: 123, efSearch: 77, maxNeighbors: 24 };
    await storeAt(url, 10_000, hnsw).ensureCollection(name, FP);
    // A fresh store reads the collection back from the server.
    await expect(storeAt(url).describeCollection(name)).resolves.toMatchObject({
      index: { space: 'cosine', efConstruction: 123, efSearch: 77, maxNeighbors: 24 },
    });
  });

  it('gives an existing collection the configured ef_search, keeping what cannot change', async () => {
    const name = uniqueName();
    await storeAt(url, 10_000, {
      efConstruction: 50,
      efSearch: 40,
      maxNeighbors: 12,
    }).ensureCollection(name, FP);
    await storeAt(url, 10_000, {
      efConstruction: 300,
      efSearch: 250,
      maxNeighbors: 48,
    }).ensureCollection(name, FP);
    await expect(storeAt(url).describeCollection(name)).resolves.toMatchObject({
      index: { space: 'cosine', efConstruction: 50, efSearch: 250, maxNeighbors: 12 },
    });
  });

  it('refuses a collection made by another embedder', async () => {
    const name = uniqueName();
    await store.ensureCollection(name, FP);
    const other = { ...FP, model: 'other', dimension: 4 };
    await expect(storeAt(url).ensureCollection(name, other)).rejects.toThrow(EmbedderMismatchError);
    await expect(store.ensureCollection(name, other)).rejects.toThrow(
      /holds vectors from embedder test\/unit\/3, but this API embeds with test\/other\/4/,
    );
  });

  it('ranks by cosine similarity', async () => {
    const name = uniqueName();
    await store.ensureCollection(name, FP);
    await store.upsert(name, [
      record('same', [2, 0, 0], { tag: 'x' }),
      record('close', [1, 1, 0], { tag: 'y' }),
      record('orthogonal', [0, 0, 5], { tag: 'x' }),
      record('opposite', [-1, 0, 0], { tag: 'y' }),
    ]);
    const hits = await store.query(name, [1, 0, 0], 4);
    expect(hits.map((hit) => hit.id)).toEqual(['same', 'close', 'orthogonal', 'opposite']);
    const scores = hits.map((hit) => hit.score);
    expect(scores[0]).toBeCloseTo(1, 5);
    expect(scores[1]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(scores[2]).toBeCloseTo(0, 5);
    expect(scores[3]).toBeCloseTo(-1, 5);
    expect(hits[0]).toMatchObject({ text: 'text of same', metadata: { tag: 'x' } });

    const filtered = await store.query(name, [1, 0, 0], 4, { tag: 'y' });
    expect(filtered.map((hit) => hit.id)).toEqual(['close', 'opposite']);
  });

  const restStore = restStoreAt(url);
  afterAll(() => restStore.close());

  describe.each([
    ['the client', () => store],
    ['REST', () => restStore],
  ])('ids-only queries and write tokens, through %s', (_, storeOf) => {
    it('answers the ids and scores of a full query, and a get without texts its metadata', async () => {
      const via = storeOf();
      const name = uniqueName();
      await via.ensureCollection(name, FP);
      await via.upsert(name, [
        record('same', [2, 0, 0], { tag: 'x' }),
        record('close', [1, 1, 0], { tag: 'y' }),
      ]);
      const full = await via.query(name, [1, 0, 0], 2);
      const bare = await via.queryIds(name, [1, 0, 0], 2);
      expect(bare.hits).toEqual(full.map(({ id, score }) => ({ id, score })));
      expect(bare.writeToken).toMatch(/^[0-9a-f-]{36}$/);
      const filtered = await via.queryIds(name, [1, 0, 0], 2, { tag: 'y' });
      expect(filtered.hits.map((hit) => hit.id)).toEqual(['close']);
      const rows = await via.getByIds(name, ['same', 'close'], { withTexts: false });
      expect(rows.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: 'close', text: '', metadata: { tag: 'y' } },
        { id: 'same', text: '', metadata: { tag: 'x' } },
      ]);
    });

    it('replaces the write token after every write, failed or not, keeping the fingerprint', async () => {
      const via = storeOf();
      const name = uniqueName();
      await via.ensureCollection(name, FP);
      const tokenNow = async () => (await via.queryIds(name, [1, 0, 0], 1)).writeToken;
      const seen = [await tokenNow()];
      const expectNewToken = async () => {
        const token = await tokenNow();
        expect(token).toBeDefined();
        expect(seen).not.toContain(token);
        seen.push(token);
      };
      await via.upsert(name, [record('a', [1, 0, 0], { tag: 'x' }), record('b', [0, 1, 0])]);
      await expectNewToken();
      // Another instance's write (no cached handle) is seen too.
      await storeAt(url).upsert(name, [record('c', [0, 0, 1])]);
      await expectNewToken();
      await via.deleteIds(name, ['c']);
      await expectNewToken();
      await via.deleteWhere(name, { tag: { $eq: 'x' } });
      await expectNewToken();
      // Rejected by Chroma (wrong dimension): nothing may have been stored, the token changes.
      await expect(via.upsert(name, [record('d', [1, 0])])).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      await expectNewToken();
      await expect(via.queryIds(name, [1, 0, 0], 1)).resolves.toMatchObject({
        hits: [{ id: 'b' }],
      });
      await expect(storeAt(url).describeCollection(name)).resolves.toMatchObject({
        fingerprint: FP,
      });
    });
  });

  it('upserts more records than the server takes in one batch', async () => {
    const name = uniqueName();
    await store.ensureCollection(name, { ...FP, dimension: 2 });
    const records = Array.from({ length: 6000 }, (_, i) =>
      record(`r${i}`, [Math.cos(i), Math.sin(i)], { i }),
    );
    await store.upsert(name, records);
    await expect(store.describeCollection(name)).resolves.toMatchObject({ count: 6000 });
    const found = await store.find(name, { i: { $gte: 5990 } });
    expect(found.map((r) => r.id).sort()).toEqual(
      Array.from({ length: 10 }, (_, k) => `r${5990 + k}`).sort(),
    );
  });

  it('finds and deletes by filter and by ids', async () => {
    const name = uniqueName();
    await store.ensureCollection(name, FP);
    await store.upsert(name, [
      record('a1', [1, 0, 0], { doc: 'a' }),
      record('a2', [0, 1, 0], { doc: 'a' }),
      record('b1', [0, 0, 1], { doc: 'b' }),
    ]);
    const a = await store.find(name, { doc: 'a' });
    expect(a.map((r) => r.id).sort()).toEqual(['a1', 'a2']);
    expect(a[0]).toMatchObject({
      text: expect.stringMatching(/^text of a/),
      metadata: { doc: 'a' },
    });
    await expect(store.find(name, {}, 2)).resolves.toHaveLength(2);

    await store.deleteWhere(name, { doc: 'a' });
    await expect(store.find(name, { doc: 'a' })).resolves.toEqual([]);
    await store.deleteIds(name, ['b1']);
    await expect(store.describeCollection(name)).resolves.toMatchObject({ count: 0 });
  });

  it('maps rejected input to InvalidInputError naming the field', async () => {
    const name = uniqueName();
    await store.ensureCollection(name, FP);
    await store.upsert(name, [record('a', [1, 0, 0])]);
    const badFilter = store.find(name, { doc: { $bogus: 1 } });
    await expect(badFilter).rejects.toThrow(InvalidInputError);
    await expect(badFilter).rejects.toMatchObject({ field: 'filter' });
    await expect(store.query(name, [1, 0], 1)).rejects.toMatchObject({
      field: 'embedding',
      message: expect.stringContaining('dimension of 3, got 2'),
    });
  });

  it('maps a missing collection to NotFoundError', async () => {
    await expect(store.query(uniqueName(), [1, 0, 0], 1)).rejects.toThrow(NotFoundError);
  });

  it('fails fast with VectorStoreUnavailableError when nothing listens', async () => {
    const dead = storeAt(`http://127.0.0.1:${await findFreePort()}`);
    const started = Date.now();
    await expect(dead.heartbeat()).rejects.toThrow(VectorStoreUnavailableError);
    await expect(dead.ensureCollection('docs', FP)).rejects.toThrow(VectorStoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  describe('against a server that never answers', () => {
    let silent: Server;
    beforeAll(async () => {
      silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('gives up after the timeout with UpstreamTimeoutError', async () => {
      const { port } = silent.address() as AddressInfo;
      const slow = storeAt(`http://127.0.0.1:${port}`, 300);
      const started = Date.now();
      await expect(slow.heartbeat()).rejects.toThrow(UpstreamTimeoutError);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1500);
    });
  });
});
