import { Injectable } from '@nestjs/common';
import { COLLECTION_NAME, COLLECTION_NAME_RULE } from '../common/collection-name';
import { InvalidInputError } from '../common/domain-errors';
import type { EmbedderFingerprint } from '../embeddings/embedder.port';
import { VectorStoreConfig } from './vector-store.config';
import { VectorStore } from './vector-store.port';

/** Names clients may not use: the registry's own collections, and physical generations. */
export const SYSTEM_PREFIX = 'rag-system-';
export const GENERATION_SEPARATOR = '__';
export const REGISTRY_COLLECTION = `${SYSTEM_PREFIX}registry`;
/** The registry holds JSON documents; Chroma still wants a vector for each record. */
const REGISTRY_FINGERPRINT: EmbedderFingerprint = {
  provider: 'system',
  model: 'registry',
  dimension: 1,
};

export const isReservedName = (name: string): boolean =>
  name.startsWith(SYSTEM_PREFIX) || name.includes(GENERATION_SEPARATOR);

/** Throws a 400 naming `collection` unless clients may use this name. */
export function checkLogicalName(name: string): void {
  if (!COLLECTION_NAME.test(name)) {
    throw new InvalidInputError('collection', `must be ${COLLECTION_NAME_RULE}`);
  }
  if (isReservedName(name)) {
    throw new InvalidInputError(
      'collection',
      `must not start with ${SYSTEM_PREFIX} or contain ${GENERATION_SEPARATOR}`,
    );
  }
}

/** Generation 0 is the legacy collection named like the logical one. */
export const physicalName = (logical: string, generation: number): string =>
  generation === 0 ? logical : `${logical}${GENERATION_SEPARATOR}v${generation}`;

/** One physical collection of a logical one. */
export interface Generation {
  name: string;
  generation: number;
  fingerprint: EmbedderFingerprint;
  /** Chunks it held when it last changed role (switch or rollback). */
  count?: number;
}

/** A build in progress, owned by whoever holds its lease. */
export interface BuildState {
  runId: string;
  target: Generation;
  owner: string;
  leaseExpiresAt: number;
  done: number;
  total: number;
  startedAt: number;
  updatedAt: number;
}

export interface RunSummary {
  runId: string;
  target: Generation;
  state: 'succeeded' | 'failed';
  error?: string;
  done: number;
  total: number;
  startedAt: number;
  finishedAt: number;
}

/** Everything known about one logical collection; a missing entry means physical = logical. */
export interface RegistryEntry {
  logical: string;
  active: Generation;
  /** The generation the last switch replaced, kept for rollback. */
  previous?: Generation;
  build?: BuildState;
  lastRun?: RunSummary;
  /** Generations no longer served, deleted once the retention time has passed. */
  retired: { name: string; retiredAt: number }[];
}

/**
 * Logical → physical collection map kept in Chroma itself (one record per logical name,
 * id = logical name, the entry as JSON), so every API task and the CLI share it. Reads for
 * serving requests go through a short cache; control paths read fresh.
 */
@Injectable()
export class CollectionRegistry {
  private ensured?: Promise<unknown>;
  private snapshot?: { at: number; entries: Promise<Map<string, RegistryEntry>> };
  private readonly cacheMs: number;

  constructor(
    private readonly store: VectorStore,
    config: VectorStoreConfig,
  ) {
    this.cacheMs = config.registryCacheMs;
  }

  /** The entry as this task may serve it: at most `REGISTRY_CACHE_MS` old. */
  async resolve(logical: string): Promise<RegistryEntry | undefined> {
    return (await this.cached()).get(logical);
  }

  /** Every entry, through the same cache. */
  async entries(): Promise<RegistryEntry[]> {
    return [...(await this.cached()).values()];
  }

  /** The stored entry, bypassing the cache. */
  async get(logical: string): Promise<RegistryEntry | undefined> {
    await this.ensure();
    const [record] = await this.store.getByIds(REGISTRY_COLLECTION, [logical]);
    return record ? (JSON.parse(record.text) as RegistryEntry) : undefined;
  }

  /** All stored entries, bypassing the cache. */
  async all(): Promise<RegistryEntry[]> {
    await this.ensure();
    const records = await this.store.find(REGISTRY_COLLECTION, {});
    return records.map((record) => JSON.parse(record.text) as RegistryEntry);
  }

  /** Replaces the entry in one record upsert, which is what makes a switch atomic. */
  async put(entry: RegistryEntry): Promise<void> {
    await this.ensure();
    await this.store.upsert(REGISTRY_COLLECTION, [
      {
        id: entry.logical,
        embedding: [1],
        text: JSON.stringify(entry),
        metadata: { logical: entry.logical },
      },
    ]);
    this.snapshot = undefined;
  }

  private cached(): Promise<Map<string, RegistryEntry>> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at >= this.cacheMs) {
      const entries = this.all().then((all) => new Map(all.map((entry) => [entry.logical, entry])));
      const snapshot = { at: now, entries };
      this.snapshot = snapshot;
      // A failed read is not served from the cache.
      entries.catch(() => {
        if (this.snapshot === snapshot) this.snapshot = undefined;
      });
    }
    return this.snapshot.entries;
  }

  private ensure(): Promise<unknown> {
    this.ensured ??= this.store
      .ensureCollection(REGISTRY_COLLECTION, REGISTRY_FINGERPRINT)
      .catch((error: unknown) => {
        this.ensured = undefined;
        throw error;
      });
    return this.ensured;
  }
}
