import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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

  readonly embeddingBatchSize = new Histogram({
    name: 'rag_embedding_batch_size',
    help: 'Texts sent to the embedding provider per call',
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
    help: 'Failed Chroma calls by operation and error',
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
