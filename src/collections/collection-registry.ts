import { Injectable } from '@nestjs/common';
import type { EmbedderFingerprint } from '../embeddings/embedder.port';
import { VectorStore } from '../vector-store/vector-store.port';
import { systemCollection } from './collection-names';
import { CollectionsConfig } from './collections.config';
import { parseRecord, SystemRecordsStore } from './system-records.store';

const REGISTRY = 'registry';
export const REGISTRY_COLLECTION = systemCollection(REGISTRY);

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

/** What the probes found, kept in the run's status (reindex/search-check.ts). */
export interface SearchCheckFigures {
  probes: number;
  top_k: number;
  /** Mean share of the old generation's top documents the new one also returns; null when the
   * old generation could not be asked (its embedder is not configured any more). */
  overlap: number | null;
  /** Probes whose own document the old / new generation returns among its top results. */
  own_document_old: number | null;
  own_document_new: number;
  min_agreement: number;
  passed: boolean;
}

export interface RunSummary {
  runId: string;
  target: Generation;
  state: 'succeeded' | 'failed';
  error?: string;
  /** The search comparison made before the switch (absent when off or not reached). */
  searchCheck?: SearchCheckFigures;
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
 * Logical → physical collection map kept in Chroma's system records (one record per logical
 * name, id = logical name, the entry as JSON), so every API task and the CLI share it. Reads for
 * serving requests go through a short cache; control paths read fresh.
 */
@Injectable()
export class CollectionRegistry {
  private readonly records: SystemRecordsStore;
  private snapshot?: { at: number; entries: Promise<Map<string, RegistryEntry>> };
  private readonly cacheMs: number;

  constructor(store: VectorStore, config: CollectionsConfig) {
    this.records = new SystemRecordsStore(store, REGISTRY);
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
    return this.records.get<RegistryEntry>(logical);
  }

  /** All stored entries, bypassing the cache. */
  async all(): Promise<RegistryEntry[]> {
    return (await this.records.find({})).map(parseRecord<RegistryEntry>);
  }

  /** Replaces the entry in one record upsert, which is what makes a switch atomic. */
  async put(entry: RegistryEntry): Promise<void> {
    await this.records.put(entry.logical, entry, { logical: entry.logical });
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
}
