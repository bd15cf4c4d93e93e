import type { SearchCheckOptions } from './search-check';
import type { Env } from '../config/env.schema';

/** Zero-downtime rebuild of a collection with the configured embedder. */
export abstract class ReindexConfig {
  /** How long other tasks may still serve the old generation after a switch (REGISTRY_CACHE_MS). */
  abstract readonly registryCacheMs: number;
  /** Chunks re-embedded and written per step (progress and lease renewal happen per step). */
  abstract readonly batchSize: number;
  /** A build whose owner has not renewed its lease for this long may be taken over. */
  abstract readonly leaseMs: number;
  /** Wait between writing a lease and re-reading it to see who won (no compare-and-set). */
  abstract readonly settleMs: number;
  /** Chunks compared by id and text between old and new before switching. */
  abstract readonly verifySample: number;
  /** Search compared between old and new generation before switching (SearchCheck). */
  abstract readonly searchCheck: SearchCheckOptions;
  /** Generations older than the previous one are deleted this long after they were retired. */
  abstract readonly retentionMs: number;
  /** Cron expression re-indexing every collection that needs it; off when unset. */
  abstract readonly cron?: string;
}

/** Built once at boot from the validated environment (ReindexModule's provider). */
export const reindexConfigFrom = (env: Env): ReindexConfig => ({
  registryCacheMs: env.REGISTRY_CACHE_MS,
  batchSize: env.REINDEX_BATCH_SIZE,
  leaseMs: env.REINDEX_LEASE_MS,
  settleMs: env.REINDEX_SETTLE_MS,
  verifySample: env.REINDEX_VERIFY_SAMPLE,
  searchCheck: {
    probes: env.REINDEX_PROBES,
    topK: env.REINDEX_PROBE_TOP_K,
    minAgreement: env.REINDEX_PROBE_MIN_AGREEMENT,
  },
  retentionMs: env.REINDEX_RETENTION_MS,
  cron: env.REINDEX_CRON,
});
