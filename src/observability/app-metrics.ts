import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import {
  INGEST_CHUNK_OUTCOMES,
  INGEST_FILE_OUTCOMES,
  REINDEX_OUTCOMES,
} from './operation-recorder';

/** Sub-millisecond cache hits up to multi-second remote calls. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** LLM answers take seconds to tens of seconds. */
const LLM_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];

/**
 * Every Prometheus series the API exposes, in a registry of its own (not prom-client's global
 * one), so several apps in one process (the e2e tests) do not collide.
 */
export class AppMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly embeddingDuration = new Histogram({
    name: 'rag_embedding_duration_seconds',
    help: 'Calls to the embedding provider (query cache hits excluded)',
    labelNames: ['kind', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  // Prometheus names carry their unit: this histogram counts texts, not bytes or tokens.
  readonly embeddingBatchSize = new Histogram({
    name: 'rag_embedding_batch_size_texts',
    help: 'Texts sent to the embedding provider per call (unit: texts)',
    labelNames: ['kind'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

  readonly chromaDuration = new Histogram({
    name: 'rag_chroma_duration_seconds',
    help: 'Calls to Chroma by operation',
    labelNames: ['operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly chromaErrors = new Counter({
    name: 'rag_chroma_errors_total',
    help: 'Failed Chroma calls by operation and error (a collection not found is an answer, not an error)',
    labelNames: ['operation', 'error'] as const,
    registers: [this.registry],
  });

  readonly llmDuration = new Histogram({
    name: 'rag_llm_duration_seconds',
    help: 'LLM requests (streams until their last token) by model',
    labelNames: ['model', 'outcome'] as const,
    buckets: LLM_BUCKETS,
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'rag_llm_tokens_total',
    help: 'LLM tokens by model and type (prompt or completion)',
    labelNames: ['model', 'type'] as const,
    registers: [this.registry],
  });

  readonly ingestFiles = new Counter({
    name: 'rag_ingest_files_total',
    help: 'Files (or JSON documents) handed to ingest jobs, by outcome: accepted (text extracted), skipped (empty, nothing to index) or rejected (listed in the job failures)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestChunks = new Counter({
    name: 'rag_ingest_chunks_total',
    help: 'Chunks ingest jobs stored, by outcome: written (embedded and upserted) or unchanged (already stored as is)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly reindexRuns = new Counter({
    name: 'rag_reindex_runs_total',
    help: 'Re-index runs that ended, by outcome: succeeded (switched) or failed',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly queryTiers = new Counter({
    name: 'rag_query_tier_total',
    help: 'Retrievals (queries and chat) by the filter tier that answered: exact, variants or unfiltered',
    labelNames: ['tier'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every known series from the start at 0, so rates and alerts see it before its first event.
    for (const outcome of INGEST_FILE_OUTCOMES) this.ingestFiles.inc({ outcome }, 0);
    for (const outcome of INGEST_CHUNK_OUTCOMES) this.ingestChunks.inc({ outcome }, 0);
    for (const outcome of REINDEX_OUTCOMES) this.reindexRuns.inc({ outcome }, 0);
  }
}
