import type { EmbedderFingerprint } from '../embeddings/embedder.port';
import {
  VectorStore,
  type Metadata,
  type StoredRecord,
  type WhereFilter,
  type WriteOptions,
} from '../vector-store/vector-store.port';
import { systemCollection } from './collection-names';

/**
 * Nothing reads these collections by similarity, so their writes leave the write token alone:
 * it would cost a read and a write of the collection per record write, and delay the caller.
 */
const UNQUERIED: WriteOptions = { writeToken: false };

/** The JSON value a record holds as its text. */
export const parseRecord = <T>(record: StoredRecord): T => JSON.parse(record.text) as T;

/**
 * Records kept in one of Chroma's system collections (`rag-system-<kind>`), so that every API
 * task and the CLI share them. They hold text (mostly JSON), not vectors: each gets the same
 * one-dimensional vector, and the collection is created on first use.
 */
export class SystemRecordsStore {
  readonly collection: string;
  private readonly fingerprint: EmbedderFingerprint;
  private ensured?: Promise<unknown>;

  constructor(
    private readonly store: VectorStore,
    kind: string,
  ) {
    this.collection = systemCollection(kind);
    this.fingerprint = { provider: 'system', model: kind, dimension: 1 };
  }

  /** Upserts the records; the store adds the vector Chroma wants. */
  async write(records: StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensure();
    await this.store.upsert(
      this.collection,
      records.map((record) => ({ ...record, embedding: [1] })),
      UNQUERIED,
    );
  }

  /** Stores `value` as JSON under `id`. */
  async put(id: string, value: unknown, metadata: Metadata): Promise<void> {
    await this.write([{ id, text: JSON.stringify(value), metadata }]);
  }

  /** The JSON value stored under `id`, if any. */
  async get<T>(id: string): Promise<T | undefined> {
    const [record] = await this.read([id]);
    return record ? parseRecord<T>(record) : undefined;
  }

  /** The records with these ids that exist. */
  async read(ids: string[]): Promise<StoredRecord[]> {
    await this.ensure();
    return this.store.getByIds(this.collection, ids);
  }

  /** Records matching the filter, at most `limit` when given. */
  async find(where: WhereFilter, limit?: number): Promise<StoredRecord[]> {
    await this.ensure();
    return this.store.find(this.collection, where, limit);
  }

  async deleteWhere(where: WhereFilter): Promise<void> {
    await this.ensure();
    await this.store.deleteWhere(this.collection, where, UNQUERIED);
  }

  private ensure(): Promise<unknown> {
    this.ensured ??= this.store
      .ensureCollection(this.collection, this.fingerprint)
      .catch((error: unknown) => {
        this.ensured = undefined;
        throw error;
      });
    return this.ensured;
  }
}
