import { resolve } from 'node:path';
import { authConfigFrom, type AuthConfig } from '../auth/auth.config';
import { envSchema, type Env } from './env.schema';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

export interface ChromaHttpConfig {
  url: string;
  authToken?: string;
  authHeader: 'Authorization' | 'X-Chroma-Token';
  apiKey?: string;
  tenant?: string;
  database?: string;
}

export interface OpsConfig {
  /** Prometheus `/metrics` on its own listener, never behind the load balancer; port 0 = any free port. */
  metrics: { enabled: boolean; port: number; host: string };
  /** OTLP/HTTP base URL (`/v1/traces` is appended); tracing is off when unset. */
  tracing: { endpoint?: string; serviceName: string };
  /** Origins allowed by CORS; empty = CORS off. */
  corsOrigins: string[];
  /** Proxy hops in front of the API (Express `trust proxy`), so `req.ip` is the client's. */
  trustProxy: number;
  requestTimeoutMs: number;
  /** Time in-flight requests get to finish on SIGTERM before their connections are cut. */
  shutdownGraceMs: number;
  /** Requests per principal per window; `strictLimit` applies to `@StrictThrottle()` routes. */
  throttle: { ttlMs: number; limit: number; strictLimit: number };
  /** Readiness fails when the embedded Chroma folder's disk has less free space. */
  diskMinFreeBytes: number;
}

/** Typed, validated configuration. The only place that reads `process.env`. */
export class AppConfig {
  readonly nodeEnv: Env['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly logLevel: Env['LOG_LEVEL'];
  /** Log lines are written once this many bytes wait, or every `flushMs` (0 bytes: every line). */
  readonly logBuffer: { bytes: number; flushMs: number };
  readonly dataDir: string;
  /** Where prepared embedding models (converted word vectors) live. */
  readonly modelsDir: string;
  readonly swaggerEnabled: boolean;
  readonly bodyLimitBytes: number;
  readonly healthCheckTimeoutMs: number;
  /** Who may call: trusted token issuer, app clients, roles and collection grants. */
  readonly auth: AuthConfig;

  readonly chroma: {
    /** Set when CHROMA_HOST (or a Chroma Cloud API key) picks the HTTP strategy. */
    http?: ChromaHttpConfig;
    timeoutMs: number;
    upsertBatchSize: number;
    embedded: {
      path: string;
      port: number;
      startupTimeoutMs: number;
      restartMaxBackoffMs: number;
    };
  };

  readonly embeddings: {
    provider: Env['EMBEDDINGS_PROVIDER'];
    model?: string;
    baseUrl?: string;
    apiKey?: string;
    dimensions?: number;
    batchSize: number;
    timeoutMs: number;
    maxRetries: number;
    cacheSize: number;
    /** Hash buckets of the local embedder's lexical part (part of its fingerprint). */
    lexicalDimensions: number;
    /** Most frequent GloVe words given vectors by the local embedder; undefined: all of them. */
    gloveVocabulary?: number;
    awsRegion: string;
    bedrockEndpoint?: string;
  };

  readonly documents: {
    defaultCollection: string;
    chunkSize: number;
    chunkOverlap: number;
    maxDocumentsPerRequest: number;
    maxTextBytes: number;
    maxQueryChars: number;
    maxTopK: number;
    defaultTopK: number;
    /** Chunks fetched for the lexical rerank stage (at least top_k); 0 turns reranking off. */
    rerankCandidates: number;
    /** Chunk and title texts whose term counts the reranker keeps (about 1.5 KB each); 0: none. */
    rerankCacheEntries: number;
    maxIdChars: number;
    maxMetadataKeys: number;
    maxMetadataValueChars: number;
    filter: { maxDepth: number; maxConditions: number; maxListLength: number };
  };
  /** Operations: metrics port, tracing, HTTP hardening, throttling, shutdown, disk readiness. */
  readonly ops: OpsConfig;

  /** Zero-downtime rebuild of a collection with the configured embedder. */
  readonly reindex: {
    /** How long a task may serve a cached logical → physical resolution. */
    registryCacheMs: number;
    /** Chunks re-embedded and written per step (progress and lease renewal happen per step). */
    batchSize: number;
    /** A build whose owner has not renewed its lease for this long may be taken over. */
    leaseMs: number;
    /** Wait between writing a lease and re-reading it to see who won (no compare-and-set). */
    settleMs: number;
    /** Chunks compared by id and text between old and new before switching. */
    verifySample: number;
    /** Generations older than the previous one are deleted this long after they were retired. */
    retentionMs: number;
    /** Cron expression re-indexing every collection that needs it; off when unset. */
    cron?: string;
  };

  /** Bulk ingest: upload limits, job concurrency and leases (see src/ingest/README.md). */
  readonly ingest: {
    maxFileBytes: number;
    maxFiles: number;
    /** Content-Length above which an upload is refused before any of it is buffered. */
    maxRequestBytes: number;
    /** Queued or running jobs one caller may have at once. */
    maxJobsPerUser: number;
    /** Jobs one API task runs at once. */
    concurrency: number;
    /** Upsert batches of one job in flight at once, so embedding and writes overlap. */
    pipelineDepth: number;
    /** Chunks per stored batch (one upsert call), at most MAX_DOCUMENTS_PER_REQUEST documents. */
    batchChunks: number;
    /** Text extraction of one file (PDF parsing runs in a worker that is stopped after this). */
    extractTimeoutMs: number;
    /** A running job whose owner has not renewed its lease for this long is resumed elsewhere. */
    leaseMs: number;
    /** Wait between writing a lease and re-reading it to see who won (no compare-and-set). */
    settleMs: number;
    /** How often each task looks for queued jobs and jobs with expired leases. */
    sweepMs: number;
    /** Retries of a batch that failed because the store was unavailable or timed out. */
    batchRetries: number;
    /** Wait before the first of those retries; it doubles for each next one. */
    batchRetryDelayMs: number;
    /** Finished job records older than this are deleted by the sweep. */
    jobRetentionMs: number;
  };

  readonly chat: {
    llm: {
      provider: Env['LLM_PROVIDER'];
      model?: string;
      baseUrl?: string;
      apiKey?: string;
      /** Bounds one upstream attempt, streamed answer included. */
      timeoutMs: number;
      maxRetries: number;
      /** Output tokens asked for per request. */
      maxTokens: number;
      awsRegion: string;
      bedrockEndpoint?: string;
    };
    /** Retrieved chunks scoring below this are not shown to the model. */
    minScore: number;
    contextMaxChars: number;
    historyMaxChars: number;
    historyMaxMessages: number;
    sseHeartbeatMs: number;
    extractiveMaxSentences: number;
  };

  constructor(env: Env) {
    this.nodeEnv = env.NODE_ENV;
    this.port = env.PORT;
    this.host = env.HOST;
    this.logLevel = env.LOG_LEVEL;
    this.logBuffer = { bytes: env.LOG_BUFFER_BYTES, flushMs: env.LOG_FLUSH_MS };
    this.dataDir = resolve(env.DATA_DIR);
    this.modelsDir = resolve(env.MODELS_DIR ?? resolve(this.dataDir, 'models'));
    this.swaggerEnabled = env.SWAGGER_ENABLED;
    this.bodyLimitBytes = env.BODY_LIMIT_BYTES;
    this.healthCheckTimeoutMs = env.HEALTH_CHECK_TIMEOUT_MS;
    this.auth = authConfigFrom(env, this.dataDir);

    const cloudUrl = env.CHROMA_API_KEY ? 'https://api.trychroma.com' : undefined;
    const httpUrl = env.CHROMA_HOST ?? cloudUrl;
    this.chroma = {
      http: httpUrl
        ? {
            url: httpUrl,
            authToken: env.CHROMA_AUTH_TOKEN,
            authHeader: env.CHROMA_AUTH_HEADER,
            apiKey: env.CHROMA_API_KEY,
            tenant: env.CHROMA_TENANT,
            database: env.CHROMA_DATABASE,
          }
        : undefined,
      timeoutMs: env.CHROMA_TIMEOUT_MS,
      upsertBatchSize: env.CHROMA_UPSERT_BATCH_SIZE,
      embedded: {
        path: resolve(env.CHROMA_PATH ?? resolve(this.dataDir, 'chroma')),
        port: env.CHROMA_EMBEDDED_PORT,
        startupTimeoutMs: env.CHROMA_STARTUP_TIMEOUT_MS,
        restartMaxBackoffMs: env.CHROMA_RESTART_MAX_BACKOFF_MS,
      },
    };

    this.embeddings = {
      provider: env.EMBEDDINGS_PROVIDER,
      model: env.EMBEDDINGS_MODEL,
      baseUrl: env.EMBEDDINGS_BASE_URL,
      apiKey: env.EMBEDDINGS_API_KEY,
      dimensions: env.EMBEDDINGS_DIMENSIONS,
      batchSize: env.EMBEDDINGS_BATCH_SIZE,
      timeoutMs: env.EMBEDDINGS_TIMEOUT_MS,
      maxRetries: env.EMBEDDINGS_MAX_RETRIES,
      cacheSize: env.EMBEDDINGS_CACHE_SIZE,
      lexicalDimensions: env.EMBEDDINGS_LEXICAL_DIMENSIONS,
      gloveVocabulary: env.EMBEDDINGS_GLOVE_VOCABULARY || undefined,
      awsRegion: env.AWS_REGION,
      bedrockEndpoint: env.BEDROCK_ENDPOINT,
    };

    this.documents = {
      defaultCollection: env.DEFAULT_COLLECTION,
      chunkSize: env.CHUNK_SIZE,
      chunkOverlap: env.CHUNK_OVERLAP,
      maxDocumentsPerRequest: env.MAX_DOCUMENTS_PER_REQUEST,
      maxTextBytes: env.MAX_TEXT_BYTES,
      maxQueryChars: env.MAX_QUERY_CHARS,
      maxTopK: env.MAX_TOP_K,
      defaultTopK: env.DEFAULT_TOP_K,
      rerankCandidates: env.RERANK_CANDIDATES,
      rerankCacheEntries: env.RERANK_CACHE_ENTRIES,
      maxIdChars: env.MAX_ID_CHARS,
      maxMetadataKeys: env.MAX_METADATA_KEYS,
      maxMetadataValueChars: env.MAX_METADATA_VALUE_CHARS,
      filter: {
        maxDepth: env.FILTER_MAX_DEPTH,
        maxConditions: env.FILTER_MAX_CONDITIONS,
        maxListLength: env.FILTER_MAX_LIST_LENGTH,
      },
    };
    this.ops = {
      metrics: { enabled: env.METRICS_ENABLED, port: env.METRICS_PORT, host: env.METRICS_HOST },
      tracing: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
      corsOrigins: env.CORS_ORIGINS,
      trustProxy: env.TRUST_PROXY,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      throttle: {
        ttlMs: env.THROTTLE_TTL_MS,
        limit: env.THROTTLE_LIMIT,
        strictLimit: env.THROTTLE_STRICT_LIMIT,
      },
      diskMinFreeBytes: env.HEALTH_DISK_MIN_FREE_BYTES,
    };
    this.reindex = {
      registryCacheMs: env.REGISTRY_CACHE_MS,
      batchSize: env.REINDEX_BATCH_SIZE,
      leaseMs: env.REINDEX_LEASE_MS,
      settleMs: env.REINDEX_SETTLE_MS,
      verifySample: env.REINDEX_VERIFY_SAMPLE,
      retentionMs: env.REINDEX_RETENTION_MS,
      cron: env.REINDEX_CRON,
    };

    this.ingest = {
      maxFileBytes: env.INGEST_MAX_FILE_BYTES,
      maxFiles: env.INGEST_MAX_FILES,
      maxRequestBytes: env.INGEST_MAX_REQUEST_BYTES,
      maxJobsPerUser: env.INGEST_MAX_JOBS_PER_USER,
      concurrency: env.INGEST_CONCURRENCY,
      pipelineDepth: env.INGEST_PIPELINE_DEPTH,
      batchChunks: env.INGEST_BATCH_CHUNKS,
      extractTimeoutMs: env.INGEST_EXTRACT_TIMEOUT_MS,
      leaseMs: env.INGEST_LEASE_MS,
      settleMs: env.INGEST_SETTLE_MS,
      sweepMs: env.INGEST_SWEEP_MS,
      batchRetries: env.INGEST_BATCH_RETRIES,
      batchRetryDelayMs: env.INGEST_BATCH_RETRY_DELAY_MS,
      jobRetentionMs: env.INGEST_JOB_RETENTION_MS,
    };

    this.chat = {
      llm: {
        provider: env.LLM_PROVIDER,
        model: env.LLM_MODEL,
        baseUrl: env.LLM_BASE_URL,
        apiKey: env.LLM_API_KEY,
        timeoutMs: env.LLM_TIMEOUT_MS,
        maxRetries: env.LLM_MAX_RETRIES,
        maxTokens: env.LLM_MAX_TOKENS,
        awsRegion: env.AWS_REGION,
        bedrockEndpoint: env.BEDROCK_ENDPOINT,
      },
      minScore: env.CHAT_MIN_SCORE,
      contextMaxChars: env.CHAT_CONTEXT_MAX_CHARS,
      historyMaxChars: env.CHAT_HISTORY_MAX_CHARS,
      historyMaxMessages: env.CHAT_HISTORY_MAX_MESSAGES,
      sseHeartbeatMs: env.CHAT_SSE_HEARTBEAT_MS,
      extractiveMaxSentences: env.CHAT_EXTRACTIVE_MAX_SENTENCES,
    };
  }

  /** Validates the given environment once; throws a message naming every failing variable. */
  static fromEnv(source: NodeJS.ProcessEnv = process.env): AppConfig {
    const parsed = envSchema.safeParse(source);
    if (!parsed.success) {
      throw new ConfigValidationError(
        parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`),
      );
    }
    return new AppConfig(parsed.data);
  }
}
