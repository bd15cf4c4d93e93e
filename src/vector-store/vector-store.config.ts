import { dataPath } from '../config/env';
import type { Env } from '../config/env.schema';

export interface ChromaSocketLimits {
  max: number;
  idleMs: number;
}

/**
 * HNSW parameters every collection we create is given explicitly (cosine space always). Chroma's
 * own defaults (rust/types/src/hnsw_configuration.rs: ef_construction 100, ef_search 100,
 * max_neighbors 16) are not ours to inherit silently; bench/hnsw/RESULTS.md measures the choice.
 * Only `efSearch` can change on an existing collection (the JS client's UpdateHNSWConfiguration in
 * chromadb 3.5.0 has ef_search but neither ef_construction nor max_neighbors).
 */
export interface HnswSettings {
  /** Candidates kept while inserting: graph quality, fixed at creation. */
  efConstruction: number;
  /** Candidates kept while searching (at least the k asked for): recall per query. */
  efSearch: number;
  /** Links per node (HNSW's M): graph quality and memory, fixed at creation. */
  maxNeighbors: number;
}

export interface ChromaHttpConfig {
  url: string;
  authToken?: string;
  authHeader: 'Authorization' | 'X-Chroma-Token';
  apiKey?: string;
  tenant?: string;
  database?: string;
}

/** Where Chroma runs (a configured server, else our embedded one) and how it is called. */
export abstract class VectorStoreConfig {
  /** Set when CHROMA_HOST (or a Chroma Cloud API key) picks the HTTP strategy. */
  abstract readonly http?: ChromaHttpConfig;
  abstract readonly timeoutMs: number;
  abstract readonly upsertBatchSize: number;
  abstract readonly hnsw: HnswSettings;
  /** The query agent's keep-alive sockets: at most `max` open at once, closed after `idleMs` idle. */
  abstract readonly querySockets: ChromaSocketLimits;
  abstract readonly embedded: {
    path: string;
    port: number;
    startupTimeoutMs: number;
    restartMaxBackoffMs: number;
  };
}

const CHROMA_CLOUD_URL = 'https://api.trychroma.com';

/** Built once at boot from the validated environment (VectorStoreModule's provider). */
export function vectorStoreConfigFrom(env: Env): VectorStoreConfig {
  const url = env.CHROMA_HOST ?? (env.CHROMA_API_KEY ? CHROMA_CLOUD_URL : undefined);
  return {
    http: url
      ? {
          url,
          authToken: env.CHROMA_AUTH_TOKEN,
          authHeader: env.CHROMA_AUTH_HEADER,
          apiKey: env.CHROMA_API_KEY,
          tenant: env.CHROMA_TENANT,
          database: env.CHROMA_DATABASE,
        }
      : undefined,
    timeoutMs: env.CHROMA_TIMEOUT_MS,
    upsertBatchSize: env.CHROMA_UPSERT_BATCH_SIZE,
    hnsw: {
      efConstruction: env.CHROMA_HNSW_EF_CONSTRUCTION,
      efSearch: env.CHROMA_HNSW_EF_SEARCH,
      maxNeighbors: env.CHROMA_HNSW_MAX_NEIGHBORS,
    },
    querySockets: { max: env.CHROMA_MAX_SOCKETS, idleMs: env.CHROMA_IDLE_SOCKET_MS },
    embedded: {
      path: dataPath(env, 'chroma', env.CHROMA_PATH),
      port: env.CHROMA_EMBEDDED_PORT,
      startupTimeoutMs: env.CHROMA_STARTUP_TIMEOUT_MS,
      restartMaxBackoffMs: env.CHROMA_RESTART_MAX_BACKOFF_MS,
    },
  };
}
