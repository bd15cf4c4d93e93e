import type { EmbedderFingerprint } from '../embeddings/embedder.port';

/** Metadata values Chroma can store and filter on. */
export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

/** A Chroma `where` filter, already validated by the caller. */
export type WhereFilter = Record<string, unknown>;

export interface VectorRecord {
  id: string;
  embedding: number[];
  text: string;
  metadata: Metadata;
}

export interface StoredRecord {
  id: string;
  text: string;
  metadata: Metadata;
}

export interface ScoredRecord extends StoredRecord {
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
}

export interface ScoredId {
  id: string;
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
}

/** A query's nearest records without their rows, and the collection's write token. */
export interface NearestIds {
  hits: ScoredId[];
  /**
   * The collection's write token as read with the query; undefined when it has none (created
   * and last written before write tokens existed).
   */
  writeToken?: string;
}

/** The approximate-search index a collection was built with, as the store reports it. */
export interface IndexSettings {
  space: string;
  efConstruction?: number;
  efSearch?: number;
  maxNeighbors?: number;
}

export interface WriteOptions {
  /** false: the collection's write token is not replaced (default true). */
  writeToken?: boolean;
}

export interface CollectionInfo {
  name: string;
  count: number;
  fingerprint?: EmbedderFingerprint;
  index?: IndexSettings;
}

export type VectorStoreStrategy = 'http' | 'embedded';

/**
 * The port every module uses to reach the vector store. Implementations hide Chroma;
 * only `vector-store/` imports `chromadb`.
 *
 * Write tokens: every collection it creates gets a random write token, and every write through
 * it (upsert, deleteIds, deleteWhere) replaces that token with a new random one when the write
 * ends, failed or not, before the caller hears of it. So what a reader fetched while the token
 * read T still holds while the token reads T, except during a write not yet answered, and for
 * writes made around this port (another program writing to Chroma, or a writer that died
 * between its write and the new token). A write with `writeToken: false` leaves the token as it
 * is: for collections nothing reads through queryIds (the API's own records).
 */
export abstract class VectorStore {
  abstract readonly strategy: VectorStoreStrategy;

  /** Resolves when the store answers its heartbeat; rejects otherwise. */
  abstract heartbeat(): Promise<void>;

  /**
   * Returns the collection, creating it (cosine space, the configured HNSW parameters, fingerprint
   * in its metadata) if needed; an existing one gets the configured search breadth, the only
   * parameter that can change after creation. Throws EmbedderMismatchError when it exists with
   * another fingerprint.
   */
  abstract ensureCollection(
    name: string,
    fingerprint: EmbedderFingerprint,
  ): Promise<CollectionInfo>;

  /** Whether the collection exists, asked of the store (not a cached handle) without counting it. */
  abstract hasCollection(name: string): Promise<boolean>;

  /** Returns undefined when the collection does not exist. */
  abstract describeCollection(name: string): Promise<CollectionInfo | undefined>;

  /**
   * The collection's fingerprint for the query path: like describeCollection without the count,
   * which costs a store round trip per query. May answer from a cached handle, so a collection
   * dropped since then surfaces as NotFoundError from the next call on it.
   */
  abstract describeFingerprint(
    name: string,
  ): Promise<Pick<CollectionInfo, 'name' | 'fingerprint'> | undefined>;

  abstract listCollections(): Promise<CollectionInfo[]>;

  /** Upserts in batches no larger than the server's maximum batch size. */
  abstract upsert(
    collection: string,
    records: VectorRecord[],
    options?: WriteOptions,
  ): Promise<void>;

  /** Records matching the filter (no vectors), at most `limit` when given. */
  abstract find(collection: string, where: WhereFilter, limit?: number): Promise<StoredRecord[]>;

  /** The `topK` records nearest to `embedding`, best first. */
  abstract query(
    collection: string,
    embedding: number[],
    topK: number,
    where?: WhereFilter,
  ): Promise<ScoredRecord[]>;

  /**
   * Like query, ids and scores only (the store reads no rows for them), with the collection's
   * write token read at the same time.
   */
  abstract queryIds(
    collection: string,
    embedding: number[],
    topK: number,
    where?: WhereFilter,
  ): Promise<NearestIds>;

  abstract deleteIds(collection: string, ids: string[], options?: WriteOptions): Promise<void>;

  abstract deleteWhere(
    collection: string,
    where: WhereFilter,
    options?: WriteOptions,
  ): Promise<void>;

  /** Up to `limit` records from `offset` in the store's own stable order (no vectors). */
  abstract getPage(collection: string, offset: number, limit: number): Promise<StoredRecord[]>;

  /**
   * The records with these ids that exist (no vectors), in no particular order. `withTexts:
   * false` leaves every text empty ('') and spares the store reading and sending them.
   */
  abstract getByIds(
    collection: string,
    ids: string[],
    options?: { withTexts?: boolean },
  ): Promise<StoredRecord[]>;

  /** Drops the collection and its records; does nothing when it does not exist. */
  abstract deleteCollection(name: string): Promise<void>;
}
