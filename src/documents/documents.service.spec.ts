import type { Principal } from '../auth/principal';
import type { CollectionRegistry, RegistryEntry } from '../collections/collection-registry';
import { CollectionRouter } from '../collections/collection-router';
import { parseEnv } from '../config/env';
import { EmbedderMismatchError, InvalidInputError, NotFoundError } from '../common/domain-errors';
import { EmbedderCatalog } from '../embeddings/embedder-catalog';
import type { ScoredRecord, VectorStore } from '../vector-store/vector-store.port';
import { HandlerDeadline } from '../observability/handler-deadline';
import { DocumentsService } from './documents.service';
import { documentsConfigFrom } from './documents.config';
import { chunkHash } from './document-metadata';

const fingerprint = { provider: 'test', model: 'unit', dimension: 2 };
const principal = (collections: Principal['collections']): Principal => ({
  sub: 'u1',
  username: 'u1',
  tokenUse: 'access',
  clientId: 'c',
  scopes: [],
  groups: [],
  roles: ['read', 'write'],
  collections,
});
const admin = principal('*');

function setup(env: Record<string, string> = {}) {
  const store = {
    strategy: 'http',
    ensureCollection: jest.fn().mockResolvedValue({ name: 'docs', count: 0, fingerprint }),
    hasCollection: jest.fn().mockResolvedValue(true),
    describeFingerprint: jest.fn().mockResolvedValue({ name: 'docs', fingerprint }),
    find: jest.fn().mockResolvedValue([]),
    upsert: jest.fn().mockResolvedValue(undefined),
    deleteIds: jest.fn().mockResolvedValue(undefined),
    query: jest.fn().mockResolvedValue([]),
    // The ids and scores of what `query` answers (no write token: no metadata is cached).
    queryIds: jest.fn(async (...args: unknown[]) => {
      const rows = (await store.query(...args)) as ScoredRecord[];
      return { hits: rows.map(({ id, score }) => ({ id, score })) };
    }),
    listCollections: jest.fn().mockResolvedValue([]),
    // Holds what its queries answered: the chunks by id, as a store would.
    getByIds: jest.fn(async (_collection: string, ids: string[]) => {
      const answered = (await Promise.all(
        store.query.mock.results.map((result) => result.value),
      )) as { id: string }[][];
      return answered.flat().filter((record) => ids.includes(record.id));
    }),
  };
  const embedder = {
    fingerprint,
    ready: jest.fn().mockResolvedValue(undefined),
    embedDocuments: jest.fn((texts: string[]) => Promise.resolve(texts.map(() => [1, 0]))),
    embedQuery: jest.fn().mockResolvedValue([1, 0]),
  };
  const registry = {
    resolve: jest.fn().mockResolvedValue(undefined),
    entries: jest.fn().mockResolvedValue([]),
  };
  const catalog = new EmbedderCatalog(embedder, () => {
    throw new Error('no local embedders in this spec');
  });
  const service = new DocumentsService(
    documentsConfigFrom(parseEnv({ CHUNK_SIZE: '200', CHUNK_OVERLAP: '20', ...env })),
    store as unknown as VectorStore,
    catalog,
    new CollectionRouter(
      store as unknown as VectorStore,
      catalog,
      registry as unknown as CollectionRegistry,
    ),
  );
  return { service, store, embedder, registry };
}

const storedChunks = (id: string, hash: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `${id}#${i}`,
    text: 't',
    metadata: { document_id: id, chunk_index: i, content_hash: hash },
  }));

describe('DocumentsService.upsert', () => {
  it('writes nothing once the request deadline passed, and commits before writing', async () => {
    const { service, store, embedder } = setup();
    const passed = new HandlerDeadline();
    passed.expire(new Error('deadline passed'));
    const input = { documents: [{ id: 'a', text: 'Body text.' }] };
    await expect(service.upsert(admin, input, passed)).rejects.toThrow('deadline passed');
    expect(embedder.embedDocuments).not.toHaveBeenCalled();

    // The deadline passes while the embedder works: its result is not written.
    const during = new HandlerDeadline();
    embedder.embedDocuments.mockImplementationOnce((texts: string[]) => {
      during.expire(new Error('passed during embedding'));
      return Promise.resolve(texts.map(() => [1, 0]));
    });
    await expect(service.upsert(admin, input, during)).rejects.toThrow('passed during embedding');
    expect(store.upsert).not.toHaveBeenCalled();

    // Committed before the first write: a deadline passing afterwards waits for the answer.
    const committed = new HandlerDeadline();
    await service.upsert(admin, input, committed);
    expect(store.upsert).toHaveBeenCalledTimes(1);
    expect(committed.expire(new Error('late'))).toBe(false);
  });

  it('stores chunks with deterministic ids, defaults and the title used for embedding', async () => {
    const { service, store, embedder } = setup();
    const result = await service.upsert(admin, {
      documents: [{ id: 'a', text: '# Title\n\nBody text.' }],
    });
    expect(result).toEqual({
      collection: 'docs',
      results: [{ id: 'a', chunks: 1, status: 'created' }],
    });
    expect(embedder.embedDocuments).toHaveBeenCalledWith(
      ['# Title\n\nBody text.'],
      ['Title'],
      undefined,
    );
    const [collection, records] = store.upsert.mock.calls[0];
    expect(collection).toBe('docs');
    expect(records[0]).toMatchObject({
      id: 'a#0',
      metadata: {
        document_id: 'a',
        chunk_index: 0,
        chunk_count: 1,
        title: 'Title',
        file_type: 'txt',
        source: 'a',
        chunk_hash: chunkHash('# Title\n\nBody text.'),
      },
    });
  });

  it('skips embedding and writing when the stored hash matches', async () => {
    const { service, store, embedder } = setup();
    await service.upsert(admin, { documents: [{ id: 'a', text: 'Same text.' }] });
    const hash = store.upsert.mock.calls[0][1][0].metadata.content_hash as string;
    store.upsert.mockClear();
    embedder.embedDocuments.mockClear();
    store.find.mockResolvedValue(storedChunks('a', hash, 1));

    const result = await service.upsert(admin, { documents: [{ id: 'a', text: 'Same text.' }] });
    expect(result.results[0].status).toBe('unchanged');
    expect(embedder.embedDocuments).not.toHaveBeenCalled();
    expect(store.upsert).not.toHaveBeenCalled();
  });

  it('writes the new chunks before deleting the ones an edit dropped', async () => {
    const { service, store } = setup();
    store.find.mockResolvedValue(storedChunks('a', 'old', 4));
    const order: string[] = [];
    store.upsert.mockImplementation(() => Promise.resolve(void order.push('upsert')));
    store.deleteIds.mockImplementation(() => Promise.resolve(void order.push('delete')));

    const result = await service.upsert(admin, { documents: [{ id: 'a', text: 'Short now.' }] });
    expect(result.results[0]).toEqual({ id: 'a', chunks: 1, status: 'updated' });
    expect(store.deleteIds).toHaveBeenCalledWith('docs', ['a#1', 'a#2', 'a#3']);
    expect(order).toEqual(['upsert', 'delete']);
  });

  it('validates every document before touching the store', async () => {
    const { service, store } = setup({ MAX_TEXT_BYTES: '10' });
    await expect(
      service.upsert(admin, {
        documents: [
          { id: 'ok', text: 'fine' },
          { id: 'big', text: 'x'.repeat(11) },
        ],
      }),
    ).rejects.toThrow(/documents\[1\]\.text/);
    expect(store.ensureCollection).not.toHaveBeenCalled();
    expect(store.upsert).not.toHaveBeenCalled();
  });
});

describe('DocumentsService.query', () => {
  const hit = { id: 'a#0', text: 't', metadata: { document_id: 'a' }, score: 0.9 };

  it('tries exact, then variants, then unfiltered, and says which answered', async () => {
    const { service, store } = setup();
    store.query.mockResolvedValueOnce([]).mockResolvedValueOnce([]).mockResolvedValueOnce([hit]);
    const result = await service.query(admin, { query: 'q', filter: { file_type: 'PDF' } });
    expect(result.tier).toBe('unfiltered');
    expect(store.query.mock.calls.map((call) => call[3])).toEqual([
      { file_type: { $eq: 'PDF' } },
      expect.objectContaining({ $or: expect.any(Array) }),
      undefined,
    ]);
  });

  it('skips the variants tier when the filter has no file type', async () => {
    const { service, store } = setup();
    store.query.mockResolvedValueOnce([]).mockResolvedValueOnce([hit]);
    const result = await service.query(admin, { query: 'q', filter: { team: 'hr' } });
    expect(result.tier).toBe('unfiltered');
    expect(store.query).toHaveBeenCalledTimes(2);
  });

  it('answers an unfiltered query in one call', async () => {
    const { service, store } = setup();
    store.query.mockResolvedValueOnce([]);
    expect(await service.query(admin, { query: 'q' })).toEqual({ tier: 'exact', results: [] });
    expect(store.query).toHaveBeenCalledTimes(1);
  });

  it('reranks a wider candidate set and returns top_k of it', async () => {
    const { service, store } = setup({ RERANK_CANDIDATES: '20' });
    const candidate = (id: string, text: string, score: number) => ({
      id,
      text,
      metadata: { document_id: id },
      score,
    });
    store.query.mockResolvedValueOnce([
      candidate('vector-best', 'unrelated words about gardens', 0.9),
      candidate('lexical-best', 'how to rotate signing keys safely', 0.8),
      candidate('other', 'more unrelated words', 0.7),
    ]);
    const result = await service.query(admin, { query: 'rotate signing keys', top_k: 1 });
    expect(store.query.mock.calls[0][2]).toBe(20);
    expect(result.results.map((r) => r.id)).toEqual(['lexical-best']);
    expect(result.results[0].similarity).toBe(0.8);
  });

  const decimals = (value: number) => (String(value).split('.')[1] ?? '').length;

  it('orders results by the score it returns, both figures rounded to 4 decimals', async () => {
    const { service, store } = setup({ RERANK_CANDIDATES: '20' });
    const candidate = (id: string, text: string, score: number) => ({
      id,
      text,
      metadata: { document_id: id },
      score,
    });
    store.query.mockResolvedValueOnce([
      candidate('gardens', 'unrelated words about gardens', 0.6856785400000001),
      candidate('keys', 'how to rotate signing keys safely', 0.61234567),
      candidate('more', 'more unrelated words', 0.5471111111),
    ]);
    const { results } = await service.query(admin, { query: 'rotate signing keys', top_k: 3 });
    expect(results.map((r) => r.id)).toEqual(['keys', 'gardens', 'more']);
    expect(results.map((r) => r.similarity)).toEqual([0.6123, 0.6857, 0.5471]);
    const scores = results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(scores[1]);
    for (const value of [...scores, ...results.map((r) => r.similarity)]) {
      expect(decimals(value)).toBeLessThanOrEqual(4);
    }
  });

  it('scores by rounded similarity when reranking is off', async () => {
    const { service, store } = setup({ RERANK_CANDIDATES: '0' });
    store.query.mockResolvedValueOnce([
      { id: 'a#0', text: 't', metadata: { document_id: 'a' }, score: 0.6856785400000001 },
      { id: 'b#0', text: 't', metadata: { document_id: 'b' }, score: 0.5 },
    ]);
    const { results } = await service.query(admin, { query: 'q', top_k: 2 });
    expect(results.map((r) => [r.score, r.similarity])).toEqual([
      [0.6857, 0.6857],
      [0.5, 0.5],
    ]);
  });

  it('reranks and returns at most QUERY_MAX_CHUNK_CHARS of each chunk (default CHUNK_SIZE)', async () => {
    const legacy = (id: string, text: string) => ({
      id,
      text,
      metadata: { document_id: id },
      score: 0.5,
    });
    const huge = `${'# hhhhh\n'.repeat(100_000)}rotate keys`;
    for (const [env, max] of [
      [{}, 200],
      [{ QUERY_MAX_CHUNK_CHARS: '5000' }, 5000],
    ] as const) {
      const { service, store } = setup(env);
      // A surrogate pair straddling the cut is dropped whole, never halved.
      const emoji = `${'y'.repeat(max - 1)}\u{1F600}tail`;
      store.query.mockResolvedValueOnce([legacy('huge', huge), legacy('emoji', emoji)]);
      const { results } = await service.query(admin, { query: 'rotate keys', top_k: 2 });
      const byId = new Map(results.map((r) => [r.id, r.text]));
      expect(byId.get('huge')).toBe(huge.slice(0, max));
      expect(byId.get('emoji')).toBe('y'.repeat(max - 1));
    }
  });

  it('asks the store for exactly top_k when reranking is off', async () => {
    const { service, store } = setup({ RERANK_CANDIDATES: '0' });
    await service.query(admin, { query: 'q', top_k: 3 });
    expect(store.query.mock.calls[0][2]).toBe(3);
  });

  it('fetches reranked candidates as ids and scores unless QUERY_TEXT_CACHE_ENTRIES is 0', async () => {
    for (const [env, idsOnly] of [
      [{}, true],
      [{ QUERY_TEXT_CACHE_ENTRIES: '0' }, false],
      [{ RERANK_CANDIDATES: '0' }, false],
    ] as const) {
      const { service, store } = setup(env);
      await service.query(admin, { query: 'q' });
      expect(store.queryIds).toHaveBeenCalledTimes(idsOnly ? 1 : 0);
      expect(store.query).toHaveBeenCalledTimes(1);
    }
  });

  it('rejects a top_k over the limit and a missing or incompatible collection', async () => {
    const { service, store } = setup({ MAX_TOP_K: '10', DEFAULT_TOP_K: '5' });
    await expect(service.query(admin, { query: 'q', top_k: 11 })).rejects.toThrow(
      InvalidInputError,
    );
    store.describeFingerprint.mockResolvedValueOnce(undefined);
    await expect(service.query(admin, { query: 'q' })).rejects.toThrow(NotFoundError);
    store.describeFingerprint.mockResolvedValueOnce({
      name: 'docs',
      fingerprint: { ...fingerprint, model: 'other' },
    });
    await expect(service.query(admin, { query: 'q' })).rejects.toThrow(EmbedderMismatchError);
  });
});

describe('DocumentsService collection access', () => {
  it('answers a collection the caller may not use exactly like a missing one', async () => {
    const { service, store } = setup();
    const hr = principal(['hr-docs']);
    const denied = service.query(hr, { query: 'q', collection: 'finance' });
    await expect(denied).rejects.toThrow(NotFoundError);
    await expect(denied).rejects.toThrow("collection 'finance' was not found");
    await expect(
      service.upsert(hr, { collection: 'finance', documents: [{ id: 'a', text: 'x' }] }),
    ).rejects.toThrow(NotFoundError);
    expect(store.query).not.toHaveBeenCalled();
    expect(store.ensureCollection).not.toHaveBeenCalled();
  });

  it('lists only the collections the caller may see', async () => {
    const { service, store } = setup();
    store.listCollections.mockResolvedValue([
      { name: 'hr-docs', count: 1, fingerprint },
      { name: 'finance', count: 2, fingerprint },
    ]);
    const listed = await service.listCollections(principal(['hr-docs']));
    expect(listed.map((c) => c.name)).toEqual(['hr-docs']);
  });
});

describe('DocumentsService logical collections', () => {
  const generation = (name: string, n: number) => ({ name, generation: n, fingerprint });
  const entry: RegistryEntry = {
    logical: 'docs',
    active: generation('docs__v2', 2),
    previous: generation('docs__v1', 1),
    build: {
      runId: 'r',
      target: generation('docs__v3', 3),
      owner: 'o',
      leaseExpiresAt: Date.now() + 60_000,
      done: 0,
      total: 0,
      startedAt: 0,
      updatedAt: 0,
    },
    retired: [],
  };

  it('queries the active generation of a logical collection', async () => {
    const { service, store, registry } = setup();
    registry.resolve.mockResolvedValue(entry);
    await service.query(admin, { query: 'q' });
    expect(store.describeFingerprint).toHaveBeenCalledWith('docs__v2');
    expect(store.query.mock.calls[0][0]).toBe('docs__v2');
  });

  it('writes and deletes in the active, building and previous generations', async () => {
    const { service, store, registry } = setup();
    registry.resolve.mockResolvedValue(entry);
    await service.upsert(admin, { documents: [{ id: 'a', text: 'Some text.' }] });
    expect(store.upsert.mock.calls.map((call) => call[0])).toEqual([
      'docs__v2',
      'docs__v3',
      'docs__v1',
    ]);
    store.find.mockResolvedValue(storedChunks('a', 'h', 1));
    await service.deleteDocument(admin, 'a');
    expect(store.deleteIds.mock.calls.map((call) => call[0])).toEqual([
      'docs__v2',
      'docs__v3',
      'docs__v1',
    ]);
  });

  it('deletes whichever of several documents exist, with one lookup, in every generation', async () => {
    const { service, store, registry } = setup();
    registry.resolve.mockResolvedValue(entry);
    store.find.mockResolvedValue([...storedChunks('b', 'h', 2), ...storedChunks('d', 'h', 1)]);
    const deleted = await service.deleteExisting(admin, ['a', 'b', 'c', 'd'], 'docs');
    expect(deleted.sort()).toEqual(['b', 'd']);
    expect(store.find).toHaveBeenCalledTimes(1);
    expect(store.find.mock.calls[0]).toEqual([
      'docs__v2',
      { document_id: { $in: ['a', 'b', 'c', 'd'] } },
    ]);
    expect(store.deleteIds.mock.calls).toEqual(
      ['docs__v2', 'docs__v3', 'docs__v1'].map((name) => [name, ['b#0', 'b#1', 'd#0']]),
    );
    store.find.mockResolvedValue([]);
    store.deleteIds.mockClear();
    expect(await service.deleteExisting(admin, ['x'], 'docs')).toEqual([]);
    expect(store.deleteIds).not.toHaveBeenCalled();
  });

  it('keeps serving when a restarted build dropped its target, but not when the active fails', async () => {
    const { service, store, registry } = setup();
    registry.resolve.mockResolvedValue(entry);
    store.upsert
      .mockResolvedValueOnce(undefined)
      .mockRejectedValueOnce(new NotFoundError('collection', 'docs__v3'));
    await expect(
      service.upsert(admin, { documents: [{ id: 'a', text: 'Some text.' }] }),
    ).resolves.toMatchObject({ results: [{ status: 'created' }] });
    store.upsert.mockRejectedValueOnce(new Error('down'));
    await expect(
      service.upsert(admin, { documents: [{ id: 'b', text: 'Other text.' }] }),
    ).rejects.toThrow('down');
  });

  it('reserves system and generation names', async () => {
    const { service } = setup();
    for (const collection of ['rag-system-registry', 'docs__v1']) {
      await expect(service.query(admin, { query: 'q', collection })).rejects.toThrow(
        InvalidInputError,
      );
    }
  });

  it('lists logical names with their active generation, hiding physical ones', async () => {
    const { service, store, registry } = setup();
    registry.entries.mockResolvedValue([entry]);
    store.listCollections.mockResolvedValue([
      { name: 'docs__v2', count: 5, fingerprint },
      { name: 'docs__v1', count: 4, fingerprint },
      { name: 'rag-system-registry', count: 1, fingerprint },
      { name: 'notes', count: 2, fingerprint },
    ]);
    expect(await service.listCollections(admin)).toEqual([
      expect.objectContaining({
        name: 'docs',
        count: 5,
        active_collection: 'docs__v2',
        generation: 2,
      }),
      expect.objectContaining({
        name: 'notes',
        count: 2,
        active_collection: 'notes',
        generation: 0,
      }),
    ]);
  });
});
