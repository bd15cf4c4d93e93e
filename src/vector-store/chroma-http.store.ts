import {
  ChromaClient,
  ChromaClientError,
  ChromaConnectionError,
  ChromaForbiddenError,
  ChromaNotFoundError,
  ChromaQuotaExceededError,
  ChromaRateLimitError,
  ChromaServerError,
  ChromaUnauthorizedError,
  ChromaValueError,
  CloudClient,
  InvalidArgumentError,
  type Collection,
  type CollectionMetadata,
  type Metadata as ChromaMetadata,
  type Where,
} from 'chromadb';
import { randomUUID } from 'node:crypto';
import {
  DomainError,
  EmbedderMismatchError,
  InvalidInputError,
  NotFoundError,
  VectorStoreUnavailableError,
} from '../common/domain-errors';
import { HNSW_DEFAULTS } from '../config/env.schema';
import type { ChromaHttpConfig, HnswSettings } from './vector-store.config';
import { fingerprintToString, type EmbedderFingerprint } from '../embeddings/embedder.port';
import { NOOP_RECORDER, type OperationRecorder } from '../observability/operation-recorder';
import {
  ChromaRestQuery,
  queryInclude,
  type ChromaEndpoint,
  type QueryFields,
  type RestQueryResult,
} from './chroma-rest.query';
import { RequestDeadline } from './request-deadline';
import {
  VectorStore,
  type CollectionInfo,
  type IndexSettings,
  type Metadata,
  type NearestIds,
  type ScoredRecord,
  type StoredRecord,
  type VectorRecord,
  type VectorStoreStrategy,
  type WhereFilter,
  type WriteOptions,
} from './vector-store.port';

export interface ChromaHttpStoreOptions {
  strategy: VectorStoreStrategy;
  timeoutMs: number;
  /** Gives every call's requests their deadline; must be the one whose signal the client got. */
  deadline: RequestDeadline;
  /** Records per upsert call, below the server's maximum, so each call fits in its timeout. */
  upsertBatchSize?: number;
  /** Throws VectorStoreUnavailableError when the server is known to be down, to fail fast. */
  assertAvailable?: () => void;
  /** Releases what the store runs on (the embedded server); called on application shutdown. */
  close?: () => Promise<void>;
  /** Times every call (metrics, trace spans); records nothing when absent. */
  recorder?: OperationRecorder;
  /** Sends queries and upserts without the client's fetch (self-hosted servers); the client's when absent. */
  restQuery?: ChromaRestQuery;
  /** HNSW parameters for the collections this store creates; HNSW_DEFAULTS when absent. */
  hnsw?: HnswSettings;
}

/** What a call is about: its metric/span name, and the culprit to name when it fails. */
interface CallContext {
  operation: string;
  collection?: string;
  /** The input Chroma judges in this call, named when it rejects it. */
  field: string;
}

const LIST_PAGE_SIZE = 100;

/** A self-hosted server's address and auth header; Chroma Cloud (an API key) has none. */
export function chromaEndpoint(config: ChromaHttpConfig): ChromaEndpoint | undefined {
  if (config.apiKey) return undefined;
  const headers: Record<string, string> = {};
  if (config.authToken) {
    headers[config.authHeader] =
      config.authHeader === 'Authorization' ? `Bearer ${config.authToken}` : config.authToken;
  }
  return { url: new URL(config.url), headers };
}

/** Builds the client for a configured server (or Chroma Cloud) that honours `deadline`. */
export function createChromaClient(
  config: ChromaHttpConfig,
  deadline: RequestDeadline,
): ChromaClient {
  const fetchOptions: RequestInit = { signal: deadline.signal };
  const { tenant, database } = config;
  const endpoint = chromaEndpoint(config);
  if (!endpoint) {
    return new CloudClient({ apiKey: config.apiKey, tenant, database, fetchOptions });
  }
  const { url, headers } = endpoint;
  const ssl = url.protocol === 'https:';
  return new ChromaClient({
    host: url.hostname,
    port: url.port ? Number(url.port) : ssl ? 443 : 80,
    ssl,
    tenant,
    database,
    headers,
    fetchOptions,
  });
}

/** The collection metadata key of the write token (see VectorStore). */
export const WRITE_TOKEN_KEY = 'write_token';

const fingerprintMetadata = (fp: EmbedderFingerprint): CollectionMetadata => ({
  embedder_provider: fp.provider,
  embedder_model: fp.model,
  embedder_dimension: fp.dimension,
});

const readWriteToken = (metadata: CollectionMetadata | null | undefined): string | undefined => {
  const token = metadata?.[WRITE_TOKEN_KEY];
  return typeof token === 'string' ? token : undefined;
};

/** The `configuration` a new collection gets: cosine space and every HNSW parameter explicit. */
export const hnswConfiguration = (settings: HnswSettings) => ({
  hnsw: {
    space: 'cosine' as const,
    ef_construction: settings.efConstruction,
    ef_search: settings.efSearch,
    max_neighbors: settings.maxNeighbors,
  },
});

const readIndex = (collection: Collection): IndexSettings | undefined => {
  const hnsw = collection.configuration?.hnsw;
  if (!hnsw) return undefined;
  return {
    space: hnsw.space ?? 'l2',
    efConstruction: hnsw.ef_construction ?? undefined,
    efSearch: hnsw.ef_search ?? undefined,
    maxNeighbors: hnsw.max_neighbors ?? undefined,
  };
};

const readFingerprint = (
  metadata: CollectionMetadata | undefined,
): EmbedderFingerprint | undefined => {
  const provider = metadata?.embedder_provider;
  const model = metadata?.embedder_model;
  const dimension = metadata?.embedder_dimension;
  return typeof provider === 'string' && typeof model === 'string' && typeof dimension === 'number'
    ? { provider, model, dimension }
    : undefined;
};

/** Keeps the scalar values the port knows; Chroma may also hold arrays or nulls. */
const toMetadata = (metadata: ChromaMetadata | null | undefined): Metadata => {
  const result: Metadata = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      result[key] = value;
    }
  }
  return result;
};

/** Chroma rejects `{}` as metadata but accepts none; the client types just do not say so. */
const toChromaMetadata = (record: VectorRecord): ChromaMetadata =>
  (Object.keys(record.metadata).length > 0 ? record.metadata : null) as ChromaMetadata;

/** An empty filter means "everything"; Chroma wants it absent rather than `{}`. */
const toWhere = (where: WhereFilter | undefined): Where | undefined =>
  where && Object.keys(where).length > 0 ? (where as Where) : undefined;

/** Cosine space: distance = 1 - cosine similarity. */
const scoreAt = (result: RestQueryResult, i: number): number => 1 - (result.distances[0]?.[i] ?? 1);

/** Strips the request URL the client puts in front of the server's reason. */
const reasonOf = (error: Error): string =>
  error.message.replace(/^Bad request to \S+ with status: /, '');

/** The VectorStore over a Chroma server reached by HTTP (remote, or our embedded child). */
export class ChromaHttpStore extends VectorStore {
  readonly strategy: VectorStoreStrategy;
  /** Handles by name, so requests do not look the collection up again. */
  private readonly collections = new Map<string, Collection>();
  private maxBatchSize?: Promise<number>;

  constructor(
    private readonly client: ChromaClient,
    private readonly options: ChromaHttpStoreOptions,
  ) {
    super();
    this.strategy = options.strategy;
  }

  async close(): Promise<void> {
    this.options.restQuery?.close();
    await this.options.close?.();
  }

  async heartbeat(): Promise<void> {
    await this.call({ operation: 'heartbeat', field: 'heartbeat' }, () => this.client.heartbeat());
  }

  async ensureCollection(name: string, fingerprint: EmbedderFingerprint): Promise<CollectionInfo> {
    return this.call(
      { operation: 'ensure_collection', collection: name, field: 'collection' },
      async () => {
        const cached = this.collections.get(name);
        const collection =
          cached ??
          (await this.client.getOrCreateCollection({
            name,
            embeddingFunction: null,
            // Used only when creating (the client's getOrCreateCollection doc).
            configuration: hnswConfiguration(this.hnsw),
            metadata: { ...fingerprintMetadata(fingerprint), [WRITE_TOKEN_KEY]: randomUUID() },
          }));
        const stored = readFingerprint(collection.metadata);
        if (!stored || fingerprintToString(stored) !== fingerprintToString(fingerprint)) {
          throw new EmbedderMismatchError(
            name,
            stored ? fingerprintToString(stored) : 'unknown (no fingerprint stored)',
            fingerprintToString(fingerprint),
          );
        }
        if (!cached) await this.applySearchBreadth(collection);
        this.collections.set(name, collection);
        return { name, count: await collection.count(), fingerprint: stored };
      },
    );
  }

  async hasCollection(name: string): Promise<boolean> {
    try {
      await this.call(
        { operation: 'has_collection', collection: name, field: 'collection' },
        async () => {
          this.collections.set(name, await this.client.getCollection({ name }));
        },
      );
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  async describeCollection(name: string): Promise<CollectionInfo | undefined> {
    try {
      return await this.withCollection(
        { operation: 'describe_collection', collection: name, field: 'collection' },
        (collection) => this.describe(collection),
      );
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async describeFingerprint(
    name: string,
  ): Promise<Pick<CollectionInfo, 'name' | 'fingerprint'> | undefined> {
    const cached = this.collections.get(name);
    if (cached) return { name, fingerprint: readFingerprint(cached.metadata) };
    return this.describeCollection(name);
  }

  async listCollections(): Promise<CollectionInfo[]> {
    return this.call({ operation: 'list_collections', field: 'collection' }, async () => {
      const all: Collection[] = [];
      for (let offset = 0; ; offset += LIST_PAGE_SIZE) {
        const page = await this.client.listCollections({ limit: LIST_PAGE_SIZE, offset });
        all.push(...page);
        if (page.length < LIST_PAGE_SIZE) break;
      }
      return Promise.all(all.map((collection) => this.describe(collection)));
    });
  }

  async upsert(
    collection: string,
    records: VectorRecord[],
    options: WriteOptions = {},
  ): Promise<void> {
    if (records.length === 0) return;
    const serverMax = await this.call({ operation: 'max_batch_size', field: 'records' }, () =>
      this.getMaxBatchSize(),
    );
    const batchSize = Math.min(serverMax, this.options.upsertBatchSize ?? serverMax);
    const { restQuery, deadline } = this.options;
    await this.writing(
      collection,
      async () => {
        for (let start = 0; start < records.length; start += batchSize) {
          const slice = records.slice(start, start + batchSize);
          const batch = {
            ids: slice.map((record) => record.id),
            embeddings: slice.map((record) => record.embedding),
            documents: slice.map((record) => record.text),
            metadatas: slice.map(toChromaMetadata),
          };
          await this.withCollection(
            { operation: 'upsert', collection, field: 'records' },
            (handle) =>
              restQuery ? restQuery.upsert(handle, batch, deadline.active()) : handle.upsert(batch),
          );
        }
      },
      options,
    );
  }

  async find(collection: string, where: WhereFilter, limit?: number): Promise<StoredRecord[]> {
    return this.get(collection, 'filter', { where: toWhere(where), limit });
  }

  async getPage(collection: string, offset: number, limit: number): Promise<StoredRecord[]> {
    return this.get(collection, 'offset', { offset, limit });
  }

  async getByIds(
    collection: string,
    ids: string[],
    { withTexts = true }: { withTexts?: boolean } = {},
  ): Promise<StoredRecord[]> {
    return ids.length === 0 ? [] : this.get(collection, 'ids', { ids }, withTexts);
  }

  async deleteCollection(name: string): Promise<void> {
    try {
      await this.call(
        { operation: 'delete_collection', collection: name, field: 'collection' },
        () => this.client.deleteCollection({ name }),
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    } finally {
      this.collections.delete(name);
    }
  }

  async query(
    collection: string,
    embedding: number[],
    topK: number,
    where?: WhereFilter,
  ): Promise<ScoredRecord[]> {
    const result = await this.withCollection(
      { operation: 'query', collection, field: where ? 'filter' : 'embedding' },
      (handle) => this.nearest(handle, embedding, topK, where, 'all'),
      (found) => found.ids[0]?.length ?? 0,
    );
    return (result.ids[0] ?? []).map((id, i) => ({
      id,
      text: result.documents?.[0]?.[i] ?? '',
      metadata: toMetadata(result.metadatas?.[0]?.[i]),
      score: scoreAt(result, i),
    }));
  }

  async queryIds(
    collection: string,
    embedding: number[],
    topK: number,
    where?: WhereFilter,
  ): Promise<NearestIds> {
    const [result, metadata] = await this.withCollection(
      { operation: 'query', collection, field: where ? 'filter' : 'embedding' },
      (handle) =>
        // At once: reading the collection costs Chroma a fraction of the query (bench/README.md).
        Promise.all([
          this.nearest(handle, embedding, topK, where, 'distances'),
          this.storedMetadata(handle),
        ]),
      ([found]) => found.ids[0]?.length ?? 0,
    );
    return {
      hits: (result.ids[0] ?? []).map((id, i) => ({ id, score: scoreAt(result, i) })),
      writeToken: readWriteToken(metadata),
    };
  }

  async deleteIds(collection: string, ids: string[], options: WriteOptions = {}): Promise<void> {
    if (ids.length === 0) return;
    await this.writing(
      collection,
      () =>
        this.withCollection({ operation: 'delete', collection, field: 'ids' }, (handle) =>
          handle.delete({ ids }),
        ),
      options,
    );
  }

  async deleteWhere(
    collection: string,
    where: WhereFilter,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.writing(
      collection,
      () =>
        this.withCollection({ operation: 'delete', collection, field: 'filter' }, (handle) =>
          handle.delete({ where: toWhere(where) }),
        ),
      options,
    );
  }

  private nearest(
    handle: Collection,
    embedding: number[],
    topK: number,
    where: WhereFilter | undefined,
    fields: QueryFields,
  ): Promise<RestQueryResult> {
    const { restQuery, deadline } = this.options;
    return restQuery
      ? restQuery.query(
          handle,
          { embedding, nResults: topK, where: toWhere(where), fields },
          deadline.active(),
        )
      : handle.query({
          queryEmbeddings: [embedding],
          nResults: topK,
          where: toWhere(where),
          include: [...queryInclude(fields)],
        });
  }

  /**
   * Runs a write, then gives the collection a new write token whether it failed or not (a
   * failed upsert may have stored some of its batches). A write's own error wins over the
   * token's. `writeToken: false` only runs the write.
   */
  private async writing(
    collection: string,
    write: () => Promise<unknown>,
    { writeToken = true }: WriteOptions,
  ): Promise<void> {
    if (!writeToken) {
      await write();
      return;
    }
    try {
      await write();
    } catch (error) {
      await this.replaceWriteToken(collection).catch(() => undefined);
      throw error;
    }
    await this.replaceWriteToken(collection);
  }

  private async replaceWriteToken(name: string): Promise<void> {
    await this.withCollection(
      { operation: 'write_token', collection: name, field: 'collection' },
      async (handle) => {
        // modify replaces the whole metadata, so it is read fresh, not from the handle.
        const current = await this.storedMetadata(handle);
        await handle.modify({ metadata: { ...current, [WRITE_TOKEN_KEY]: randomUUID() } });
      },
    );
  }

  /** The collection's metadata as stored now (the handle's copy is from when it was fetched). */
  private async storedMetadata(handle: Collection): Promise<CollectionMetadata | null> {
    const { restQuery, deadline } = this.options;
    if (restQuery) return restQuery.metadata(handle, deadline.active());
    return (await this.client.getCollection({ name: handle.name })).metadata ?? null;
  }

  private async get(
    collection: string,
    field: string,
    query: { where?: Where; ids?: string[]; limit?: number; offset?: number },
    withTexts = true,
  ): Promise<StoredRecord[]> {
    const result = await this.withCollection(
      { operation: 'get', collection, field },
      (handle) =>
        handle.get({ ...query, include: withTexts ? ['documents', 'metadatas'] : ['metadatas'] }),
      (found) => found.ids.length,
    );
    return result.ids.map((id, i) => ({
      id,
      text: result.documents[i] ?? '',
      metadata: toMetadata(result.metadatas[i]),
    }));
  }

  private async describe(collection: Collection): Promise<CollectionInfo> {
    return {
      name: collection.name,
      count: await collection.count(),
      fingerprint: readFingerprint(collection.metadata),
      index: readIndex(collection),
    };
  }

  private get hnsw(): HnswSettings {
    return this.options.hnsw ?? HNSW_DEFAULTS;
  }

  /**
   * A collection created before (or with other settings) gets the configured `ef_search` in its
   * stored configuration. The pinned server keeps searching an index it already loaded with the
   * old value (bench/hnsw/RESULTS.md), so only a rebuilt generation is sure to use it at once.
   */
  private async applySearchBreadth(collection: Collection): Promise<void> {
    const { efSearch } = this.hnsw;
    const hnsw = collection.configuration?.hnsw;
    if (!hnsw || hnsw.ef_search === efSearch) return;
    await collection.modify({ configuration: { hnsw: { ef_search: efSearch } } });
    collection.configuration.hnsw = { ...hnsw, ef_search: efSearch };
  }

  private getMaxBatchSize(): Promise<number> {
    this.maxBatchSize ??= this.client.getMaxBatchSize().catch((error: unknown) => {
      this.maxBatchSize = undefined;
      throw error;
    });
    return this.maxBatchSize;
  }

  private withCollection<T>(
    context: CallContext & { collection: string },
    fn: (collection: Collection) => Promise<T>,
    resultCount?: (result: T) => number,
  ): Promise<T> {
    const name = context.collection;
    return this.call(
      context,
      async () => {
        let collection = this.collections.get(name);
        if (!collection) {
          collection = await this.client.getCollection({ name });
          this.collections.set(name, collection);
        }
        return fn(collection);
      },
      resultCount,
    );
  }

  private call<T>(
    context: CallContext,
    fn: () => Promise<T>,
    resultCount?: (result: T) => number,
  ): Promise<T> {
    const { operation, collection } = context;
    const recorder = this.options.recorder ?? NOOP_RECORDER;
    return recorder.chromaCall({ operation, collection, resultCount }, async () => {
      this.options.assertAvailable?.();
      try {
        return await this.options.deadline.run(this.options.timeoutMs, fn);
      } catch (error) {
        throw this.toDomainError(error, context);
      }
    });
  }

  private toDomainError(error: unknown, { collection, field }: CallContext): unknown {
    if (error instanceof DomainError) return error;
    if (error instanceof ChromaNotFoundError) {
      if (collection === undefined) {
        return new VectorStoreUnavailableError('Chroma tenant or database not found', {
          cause: error,
        });
      }
      // The cached handle (if any) points at a collection that no longer exists.
      this.collections.delete(collection);
      return new NotFoundError('collection', collection);
    }
    if (
      error instanceof ChromaClientError ||
      error instanceof ChromaValueError ||
      error instanceof InvalidArgumentError
    ) {
      return new InvalidInputError(field, `rejected by the vector store: ${reasonOf(error)}`);
    }
    if (error instanceof ChromaConnectionError) {
      return new VectorStoreUnavailableError(`the vector store (${this.strategy}) is unreachable`, {
        cause: error,
      });
    }
    if (error instanceof ChromaUnauthorizedError || error instanceof ChromaForbiddenError) {
      return new VectorStoreUnavailableError('the vector store rejected our credentials', {
        cause: error,
      });
    }
    if (
      error instanceof ChromaServerError ||
      error instanceof ChromaRateLimitError ||
      error instanceof ChromaQuotaExceededError
    ) {
      return new VectorStoreUnavailableError(`the vector store failed: ${error.message}`, {
        cause: error,
      });
    }
    return error;
  }
}
