import {
  ChromaClientError,
  ChromaConnectionError,
  ChromaNotFoundError,
  ChromaServerError,
  ChromaUnauthorizedError,
  ChromaValueError,
  type ChromaClient,
  type Collection,
} from 'chromadb';
import {
  EmbedderMismatchError,
  InvalidInputError,
  NotFoundError,
  UpstreamTimeoutError,
  VectorStoreUnavailableError,
} from '../common/domain-errors';
import { ChromaHttpStore, createChromaClient } from './chroma-http.store';
import { RequestDeadline } from './request-deadline';
import type { VectorRecord } from './vector-store.port';

const FP = { provider: 'local', model: 'glove', dimension: 2 };
const FP_METADATA = { embedder_provider: 'local', embedder_model: 'glove', embedder_dimension: 2 };

/** A collection handle whose methods are jest mocks. */
const fakeCollection = (metadata: Record<string, unknown> | undefined = FP_METADATA) =>
  ({
    name: 'docs',
    metadata,
    count: jest.fn().mockResolvedValue(0),
    upsert: jest.fn().mockResolvedValue(undefined),
    get: jest.fn(),
    query: jest.fn(),
    delete: jest.fn().mockResolvedValue(undefined),
    modify: jest.fn().mockResolvedValue(undefined),
  }) as unknown as jest.Mocked<Collection>;

const setup = (collection = fakeCollection(), timeoutMs = 1000) => {
  const client = {
    heartbeat: jest.fn().mockResolvedValue(1),
    getOrCreateCollection: jest.fn().mockResolvedValue(collection),
    getCollection: jest.fn().mockResolvedValue(collection),
    listCollections: jest.fn().mockResolvedValue([collection]),
    getMaxBatchSize: jest.fn().mockResolvedValue(2),
  };
  const deadline = new RequestDeadline('the vector store');
  const store = new ChromaHttpStore(client as unknown as ChromaClient, {
    strategy: 'http',
    timeoutMs,
    deadline,
    hnsw: { efConstruction: 150, efSearch: 120, maxNeighbors: 20 },
  });
  return { client, collection, store };
};

describe('ChromaHttpStore', () => {
  it('creates collections in cosine space with explicit HNSW parameters, the fingerprint and no embedding function', async () => {
    const { client, store } = setup();
    await expect(store.ensureCollection('docs', FP)).resolves.toEqual({
      name: 'docs',
      count: 0,
      fingerprint: FP,
    });
    expect(client.getOrCreateCollection).toHaveBeenCalledWith({
      name: 'docs',
      embeddingFunction: null,
      configuration: {
        hnsw: { space: 'cosine', ef_construction: 150, ef_search: 120, max_neighbors: 20 },
      },
      metadata: { ...FP_METADATA, write_token: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
  });

  it('changes only the search breadth of an existing collection built with other parameters', async () => {
    const collection = fakeCollection();
    const hnsw = { space: 'cosine', ef_construction: 100, ef_search: 100, max_neighbors: 16 };
    Object.assign(collection, { configuration: { hnsw } });
    const { store } = setup(collection);
    await store.ensureCollection('docs', FP);
    await store.ensureCollection('docs', FP);
    expect(collection.modify).toHaveBeenCalledTimes(1);
    expect(collection.modify).toHaveBeenCalledWith({
      configuration: { hnsw: { ef_search: 120 } },
    });
    await expect(store.describeCollection('docs')).resolves.toMatchObject({
      index: { space: 'cosine', efConstruction: 100, efSearch: 120, maxNeighbors: 16 },
    });
  });

  it('rejects a collection with another or no fingerprint', async () => {
    await expect(setup().store.ensureCollection('docs', { ...FP, dimension: 3 })).rejects.toThrow(
      EmbedderMismatchError,
    );
    await expect(setup(fakeCollection({})).store.ensureCollection('docs', FP)).rejects.toThrow(
      /unknown \(no fingerprint stored\)/,
    );
  });

  it('caches handles and forgets them when Chroma no longer knows the collection', async () => {
    const { client, collection, store } = setup();
    collection.get.mockResolvedValue({ ids: [], documents: [], metadatas: [] } as never);
    await store.find('docs', {});
    await store.find('docs', {});
    expect(client.getCollection).toHaveBeenCalledTimes(1);

    collection.get.mockRejectedValueOnce(new ChromaNotFoundError('gone'));
    await expect(store.find('docs', {})).rejects.toThrow(new NotFoundError('collection', 'docs'));
    client.getCollection.mockRejectedValueOnce(new ChromaNotFoundError('gone'));
    await expect(store.describeCollection('docs')).resolves.toBeUndefined();
    expect(client.getCollection).toHaveBeenCalledTimes(2);
  });

  it('describes the fingerprint from the cached handle, without counting', async () => {
    const { client, collection, store } = setup();
    await expect(store.describeFingerprint('docs')).resolves.toMatchObject({ name: 'docs' });
    await store.describeFingerprint('docs');
    expect(client.getCollection).toHaveBeenCalledTimes(1);
    expect(collection.count).toHaveBeenCalledTimes(1);
  });

  it('tells whether a collection exists by asking the server, without counting', async () => {
    const { client, collection, store } = setup();
    await expect(store.hasCollection('docs')).resolves.toBe(true);
    await expect(store.hasCollection('docs')).resolves.toBe(true);
    expect(client.getCollection).toHaveBeenCalledTimes(2);
    expect(collection.count).not.toHaveBeenCalled();
    client.getCollection.mockRejectedValueOnce(new ChromaNotFoundError('gone'));
    await expect(store.hasCollection('docs')).resolves.toBe(false);
    client.getCollection.mockRejectedValueOnce(new ChromaConnectionError('down'));
    await expect(store.hasCollection('docs')).rejects.toThrow(VectorStoreUnavailableError);
  });

  it('upserts in batches of the server maximum, asked once', async () => {
    const { client, collection, store } = setup();
    const records = ['a', 'b', 'c', 'd', 'e'].map((id): VectorRecord => ({
      id,
      embedding: [1, 0],
      text: id,
      metadata: id === 'e' ? {} : { id },
    }));
    await store.upsert('docs', records);
    await store.upsert('docs', records.slice(0, 1));
    expect(client.getMaxBatchSize).toHaveBeenCalledTimes(1);
    expect(collection.upsert.mock.calls.map(([args]) => args.ids)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
      ['a'],
    ]);
    // Chroma refuses empty metadata objects.
    expect(collection.upsert.mock.calls[2][0].metadatas).toEqual([null]);
  });

  it('replaces the write token after each write, failed or not, keeping the stored metadata', async () => {
    const { client, collection, store } = setup();
    const stored = { ...FP_METADATA, owner: 'kb', write_token: 'old' };
    client.getCollection.mockResolvedValue({ ...collection, metadata: stored });
    const tokens = () =>
      collection.modify.mock.calls.map(([args]) => {
        const { write_token: token, ...rest } = args.metadata as Record<string, unknown>;
        expect(rest).toEqual({ ...FP_METADATA, owner: 'kb' });
        return token;
      });
    const record: VectorRecord = { id: 'a', embedding: [1, 0], text: 'a', metadata: {} };
    await store.upsert('docs', [record, { ...record, id: 'b' }, { ...record, id: 'c' }]);
    expect(collection.modify).toHaveBeenCalledTimes(1);
    await store.deleteIds('docs', ['a']);
    await store.deleteWhere('docs', { k: 1 });
    collection.delete.mockRejectedValueOnce(new ChromaServerError('disk full'));
    await expect(store.deleteIds('docs', ['b'])).rejects.toThrow(/disk full/);
    // The write's own error wins over a failed token.
    collection.upsert.mockRejectedValueOnce(new ChromaValueError('bad vector'));
    collection.modify.mockRejectedValueOnce(new ChromaServerError('busy'));
    await expect(store.upsert('docs', [record])).rejects.toThrow(/bad vector/);
    const written = tokens();
    expect(written).toHaveLength(5);
    expect(new Set([...written, 'old']).size).toBe(6);
    // Nothing to write, or a write that asks for none: no token.
    await store.upsert('docs', []);
    await store.deleteIds('docs', []);
    await store.upsert('docs', [record], { writeToken: false });
    await store.deleteIds('docs', ['a'], { writeToken: false });
    await store.deleteWhere('docs', { k: 1 }, { writeToken: false });
    expect(collection.modify).toHaveBeenCalledTimes(5);
    expect(collection.upsert).toHaveBeenCalledTimes(4);
  });

  it('answers ids and scores with the write token read beside the query', async () => {
    const { client, collection, store } = setup();
    collection.query.mockResolvedValue({ ids: [['a', 'b']], distances: [[0.25, 1.5]] } as never);
    client.getCollection.mockResolvedValue({
      ...collection,
      metadata: { ...FP_METADATA, write_token: 'w' },
    });
    await expect(store.queryIds('docs', [1, 0], 2, { k: 1 })).resolves.toEqual({
      hits: [
        { id: 'a', score: 0.75 },
        { id: 'b', score: -0.5 },
      ],
      writeToken: 'w',
    });
    expect(collection.query).toHaveBeenCalledWith({
      queryEmbeddings: [[1, 0]],
      nResults: 2,
      where: { k: 1 },
      include: ['distances'],
    });
    client.getCollection.mockResolvedValue({ ...collection, metadata: FP_METADATA });
    await expect(store.queryIds('docs', [1, 0], 2)).resolves.toMatchObject({
      writeToken: undefined,
    });
  });

  it('turns cosine distances into similarity scores', async () => {
    const { collection, store } = setup();
    collection.query.mockResolvedValue({
      ids: [['a', 'b']],
      documents: [['A', null]],
      metadatas: [[{ k: 1, tags: ['x'] }, null]],
      distances: [[0.25, 1.5]],
    } as never);
    await expect(store.query('docs', [1, 0], 2)).resolves.toEqual([
      { id: 'a', text: 'A', metadata: { k: 1 }, score: 0.75 },
      { id: 'b', text: '', metadata: {}, score: -0.5 },
    ]);
  });

  it.each([
    [new ChromaConnectionError('down'), VectorStoreUnavailableError],
    [new ChromaUnauthorizedError('no'), VectorStoreUnavailableError],
    [new ChromaServerError('boom'), VectorStoreUnavailableError],
    [new ChromaNotFoundError('no tenant'), VectorStoreUnavailableError],
  ])('maps %p on heartbeat to %p', async (error, expected) => {
    const { client, store } = setup();
    client.heartbeat.mockRejectedValue(error);
    await expect(store.heartbeat()).rejects.toThrow(expected);
  });

  it('names the filter when Chroma rejects it, without the request URL', async () => {
    const { collection, store } = setup();
    collection.get.mockRejectedValue(new ChromaValueError('Expected operator to be one of $gt'));
    collection.delete.mockRejectedValue(
      new ChromaClientError('Bad request to http://x/api with status: bad where'),
    );
    await expect(store.find('docs', { a: { $bad: 1 } })).rejects.toThrow(
      new InvalidInputError(
        'filter',
        'rejected by the vector store: Expected operator to be one of $gt',
      ),
    );
    await expect(store.deleteWhere('docs', { a: 1 })).rejects.toThrow(
      new InvalidInputError('filter', 'rejected by the vector store: bad where'),
    );
  });

  it('gives up after the timeout', async () => {
    const { client, store } = setup(fakeCollection(), 50);
    client.heartbeat.mockReturnValue(new Promise(() => undefined));
    const timedOut = store.heartbeat();
    await expect(timedOut).rejects.toThrow(UpstreamTimeoutError);
    await expect(timedOut).rejects.toThrow('the vector store did not answer within 50 ms');
  });

  it('fails fast while the server is known to be down', async () => {
    const { client } = setup();
    const deadline = new RequestDeadline('the vector store');
    const store = new ChromaHttpStore(client as unknown as ChromaClient, {
      strategy: 'embedded',
      timeoutMs: 1000,
      deadline,
      assertAvailable: () => {
        throw new VectorStoreUnavailableError('restarting');
      },
    });
    await expect(store.heartbeat()).rejects.toThrow('restarting');
    expect(client.heartbeat).not.toHaveBeenCalled();
  });
});

describe('createChromaClient', () => {
  const deadline = new RequestDeadline('the vector store');

  it('sends the token as a bearer token or as X-Chroma-Token', () => {
    const bearer = createChromaClient(
      { url: 'https://chroma.example', authToken: 't0k', authHeader: 'Authorization' },
      deadline,
    );
    expect(bearer.headers).toEqual({ Authorization: 'Bearer t0k' });
    const header = createChromaClient(
      { url: 'http://chroma:8000', authToken: 't0k', authHeader: 'X-Chroma-Token', tenant: 't' },
      deadline,
    );
    expect(header.headers).toEqual({ 'X-Chroma-Token': 't0k' });
    expect(header.tenant).toBe('t');
  });
});
