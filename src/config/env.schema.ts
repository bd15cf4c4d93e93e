import { z } from 'zod';
import { COLLECTION_NAME, COLLECTION_NAME_RULE } from '../common/collection-name';
import { checkIssuerEnv, csvList, groupCollectionsList, groupRolesList } from './auth-env';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const BOOL_WORDS = ['true', 'false', '1', '0', 'yes', 'no'] as const;
const isTrueWord = (value: string): boolean => ['true', '1', 'yes'].includes(value);
const bool = (def: boolean) =>
  z
    .enum(BOOL_WORDS)
    .default(def ? 'true' : 'false')
    .transform(isTrueWord);
/** A boolean left undefined when unset or empty, for defaults that depend on other variables. */
const optionalBool = optionalString
  .pipe(z.enum(BOOL_WORDS).optional())
  .transform((value) => (value === undefined ? undefined : isTrueWord(value)));

/** HNSW parameters for new collections, chosen in bench/hnsw/RESULTS.md (recall against exact search). */
export const HNSW_DEFAULTS = { efConstruction: 100, efSearch: 200, maxNeighbors: 16 } as const;

/** The largest `top_k` a deployment may allow: MAX_TOP_K's default and ceiling. */
export const TOP_K_CEILING = 100;

/** Every environment variable the API reads. Defaults are documented in .env.example. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(3000, 0, 65535),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    // sonic-boom refuses a buffer as large as its 16 KiB maximum write.
    LOG_BUFFER_BYTES: int(4096, 0, 16_000),
    LOG_FLUSH_MS: int(500, 10, 60_000),
    DATA_DIR: z.string().default('./data'),
    MODELS_DIR: optionalString,

    CHROMA_HOST: optionalString.pipe(z.url().optional()),
    CHROMA_AUTH_TOKEN: optionalString,
    CHROMA_AUTH_HEADER: z.enum(['Authorization', 'X-Chroma-Token']).default('Authorization'),
    CHROMA_API_KEY: optionalString,
    CHROMA_TENANT: optionalString,
    CHROMA_DATABASE: optionalString,
    CHROMA_TIMEOUT_MS: int(10_000, 100),
    CHROMA_UPSERT_BATCH_SIZE: int(500, 1, 100_000),
    CHROMA_HNSW_EF_CONSTRUCTION: int(HNSW_DEFAULTS.efConstruction, 1, 10_000),
    CHROMA_HNSW_EF_SEARCH: int(HNSW_DEFAULTS.efSearch, 1, 10_000),
    CHROMA_HNSW_MAX_NEIGHBORS: int(HNSW_DEFAULTS.maxNeighbors, 2, 512),
    CHROMA_MAX_SOCKETS: int(64, 1, 10_000),
    CHROMA_IDLE_SOCKET_MS: int(5_000, 100, 600_000),
    CHROMA_PATH: optionalString,
    CHROMA_EMBEDDED_PORT: int(0, 0, 65535),
    CHROMA_STARTUP_TIMEOUT_MS: int(30_000, 1000),
    CHROMA_RESTART_MAX_BACKOFF_MS: int(30_000, 100),

    EMBEDDINGS_PROVIDER: z.enum(['local', 'openai', 'bedrock']).default('local'),
    EMBEDDINGS_MODEL: optionalString,
    EMBEDDINGS_BASE_URL: optionalString.pipe(z.url().optional()),
    EMBEDDINGS_API_KEY: optionalString,
    EMBEDDINGS_DIMENSIONS: z.coerce.number().int().min(1).max(65_536).optional(),
    EMBEDDINGS_BATCH_SIZE: int(64, 1, 2048),
    EMBEDDINGS_TIMEOUT_MS: int(30_000, 100),
    EMBEDDINGS_MAX_RETRIES: int(4, 0, 20),
    EMBEDDINGS_CACHE_SIZE: int(1000, 0),
    EMBEDDINGS_LEXICAL_DIMENSIONS: int(1024, 16, 65_536),
    EMBEDDINGS_GLOVE_VOCABULARY: int(100_000, 0, 10_000_000),
    AWS_REGION: z.string().default('us-east-1'),
    BEDROCK_ENDPOINT: optionalString.pipe(z.url().optional()),

    DEFAULT_COLLECTION: z.string().regex(COLLECTION_NAME, COLLECTION_NAME_RULE).default('docs'),
    COLLECTIONS_CREATE_ON_WRITE: bool(true),
    CHUNK_SIZE: int(1000, 100, 100_000),
    CHUNK_OVERLAP: int(150, 0, 50_000),
    MAX_DOCUMENTS_PER_REQUEST: int(100, 1, 10_000),
    MAX_TEXT_BYTES: int(1_000_000, 1),
    MAX_QUERY_CHARS: int(2000, 1),
    MAX_TOP_K: int(TOP_K_CEILING, 1, TOP_K_CEILING),
    MAX_ID_CHARS: int(256, 8, 1024),
    MAX_METADATA_KEYS: int(32, 1, 256),
    MAX_METADATA_VALUE_CHARS: int(2048, 1, 65_536),
    FILTER_MAX_DEPTH: int(5, 1, 20),
    FILTER_MAX_CONDITIONS: int(32, 1, 1000),
    FILTER_MAX_LIST_LENGTH: int(100, 1, 10_000),
    FILTER_MAX_VALUES: int(200, 1, 100_000),
    DEFAULT_TOP_K: int(5, 1, TOP_K_CEILING),
    RERANK_CANDIDATES: int(100, 0, 1000),
    RERANK_CACHE_ENTRIES: int(10_000, 0, 1_000_000),
    RERANK_CHUNKS_PER_DOCUMENT: int(2, 0, 1000),
    QUERY_TEXT_CACHE_ENTRIES: int(10_000, 0, 1_000_000),
    QUERY_METADATA_CACHE_ENTRIES: int(10_000, 0, 1_000_000),
    QUERY_METADATA_CACHE_TTL_MS: int(60_000, 0, 86_400_000),
    // Unset: CHUNK_SIZE. Bounds what a query reads of chunks stored before chunks were capped.
    QUERY_MAX_CHUNK_CHARS: z.coerce.number().int().min(100).max(1_000_000).optional(),
    BODY_LIMIT_BYTES: int(10_000_000, 1024),
    // Unset: /docs and /docs-json are served unless NODE_ENV=production.
    SWAGGER_ENABLED: optionalBool,
    HEALTH_CHECK_TIMEOUT_MS: int(3000, 100),
    // Slow clients: a request's headers, then the whole request, must arrive within these; idle
    // keep-alive connections outlive the load balancer's (ALB: 60 s) so it closes first.
    SERVER_HEADERS_TIMEOUT_MS: int(10_000, 100),
    SERVER_REQUEST_TIMEOUT_MS: int(60_000, 100),
    SERVER_KEEP_ALIVE_TIMEOUT_MS: int(65_000, 100),
    SERVER_MAX_CONNECTIONS: int(1000, 1),

    LLM_PROVIDER: z.enum(['extractive', 'openai', 'bedrock']).default('extractive'),
    LLM_MODEL: optionalString,
    LLM_BASE_URL: optionalString.pipe(z.url().optional()),
    LLM_API_KEY: optionalString,
    LLM_TIMEOUT_MS: int(60_000, 100),
    LLM_MAX_RETRIES: int(2, 0, 20),
    LLM_MAX_TOKENS: int(1024, 1, 200_000),
    CHAT_MIN_SCORE: z.coerce.number().min(-1).max(1).default(0.47),
    CHAT_MIN_COVERAGE: z.coerce.number().min(0).max(1).default(0.3),
    CHAT_CONTEXT_MAX_CHARS: int(12_000, 100, 2_000_000),
    CHAT_HISTORY_MAX_CHARS: int(4000, 0, 2_000_000),
    CHAT_HISTORY_MAX_MESSAGES: int(20, 0, 1000),
    CHAT_SSE_HEARTBEAT_MS: int(15_000, 100),
    CHAT_EXTRACTIVE_MAX_SENTENCES: int(3, 1, 50),

    COGNITO_REGION: optionalString,
    COGNITO_USER_POOL_ID: optionalString,
    COGNITO_CLIENT_IDS: csvList,
    COGNITO_JWKS_URI: optionalString.pipe(z.url().optional()),
    AUTH_ACCEPT_ID_TOKENS: bool(false),
    AUTH_CLOCK_SKEW_SECONDS: int(5, 0, 300),
    AUTH_JWKS_CACHE_MAX_AGE_MS: int(600_000, 1000),
    AUTH_JWKS_RATE_LIMIT_PER_MINUTE: int(10, 1, 1000),
    AUTH_JWKS_TIMEOUT_MS: int(3000, 100, 60_000),
    AUTH_SCOPE_READ: z.string().trim().min(1).default('rag/read'),
    AUTH_SCOPE_WRITE: z.string().trim().min(1).default('rag/write'),
    AUTH_SCOPE_ADMIN: z.string().trim().min(1).default('rag/admin'),
    AUTH_GROUP_ROLES: groupRolesList,
    AUTH_GROUP_COLLECTIONS: groupCollectionsList,
    AUTH_COLLECTIONS_CLAIM: optionalString.default('custom:collections'),
    // Failed authentications per client address (TRUST_PROXY decides which address) per window;
    // beyond, 429 + Retry-After without verifying anything until the window ends.
    AUTH_FAILURE_LIMIT: int(20, 1, 100_000),
    AUTH_FAILURE_WINDOW_MS: int(60_000, 1000, 3_600_000),
    // Verified tokens remembered (LRU) until their exp while their key is still published; 0: off.
    AUTH_TOKEN_CACHE_ENTRIES: int(10_000, 0, 1_000_000),
    // Operations: metrics, tracing, hardening (see src/observability/README.md).
    METRICS_ENABLED: bool(true),
    METRICS_PORT: int(9464, 0, 65535),
    // Loopback by default: the listener has no authentication. A scraper in another container
    // (compose's Prometheus) needs METRICS_HOST=0.0.0.0; a sidecar in the same task does not.
    METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url().optional()),
    OTEL_SERVICE_NAME: z.string().trim().min(1).default('rag-api'),
    CORS_ORIGINS: csvList,
    TRUST_PROXY: int(0, 0, 32),
    REQUEST_TIMEOUT_MS: int(30_000, 100),
    SHUTDOWN_GRACE_MS: int(25_000, 0),
    THROTTLE_TTL_MS: int(60_000, 1000),
    THROTTLE_LIMIT: int(600, 1),
    THROTTLE_STRICT_LIMIT: int(30, 1),
    HEALTH_DISK_MIN_FREE_BYTES: int(512 * 1024 * 1024, 0),
    // Re-index after an embedding-model change (see src/reindex/README.md).
    REGISTRY_CACHE_MS: int(1000, 0, 60_000),
    REINDEX_BATCH_SIZE: int(256, 1, 10_000),
    REINDEX_LEASE_MS: int(60_000, 1000),
    REINDEX_SETTLE_MS: int(500, 0, 60_000),
    REINDEX_VERIFY_SAMPLE: int(50, 0, 10_000),
    REINDEX_PROBES: int(20, 0, 1000),
    REINDEX_PROBE_TOP_K: int(10, 1, TOP_K_CEILING),
    REINDEX_PROBE_MIN_AGREEMENT: z.coerce.number().min(0).max(1).default(0.8),
    REINDEX_RETENTION_MS: int(7 * 24 * 3600 * 1000, 0),
    REINDEX_CRON: optionalString,
    // Bulk ingest: file formats, async jobs (see src/ingest/README.md).
    INGEST_MAX_FILE_BYTES: int(20_000_000, 1),
    INGEST_MAX_FILES: int(200, 1, 10_000),
    INGEST_MAX_REQUEST_BYTES: int(100_000_000, 1),
    // Upload bytes held in memory across all requests at once; beyond, 503 + Retry-After.
    INGEST_UPLOAD_BUDGET_BYTES: int(400_000_000, 1),
    INGEST_MAX_JOBS_PER_USER: int(4, 1, 1000),
    INGEST_CONCURRENCY: int(2, 1, 64),
    INGEST_PIPELINE_DEPTH: int(3, 1, 32),
    INGEST_BATCH_CHUNKS: int(500, 1, 10_000),
    INGEST_EXTRACT_TIMEOUT_MS: int(20_000, 100),
    INGEST_MAX_DECOMPRESSED_BYTES: int(50_000_000, 1_000_000),
    INGEST_MAX_FILE_TEXT_BYTES: int(50_000_000, 1),
    INGEST_EXTRACT_WORKER_MAX_HEAP_MB: int(256, 32, 16_384),
    INGEST_LEASE_MS: int(30_000, 1000),
    INGEST_SETTLE_MS: int(500, 0, 60_000),
    INGEST_SWEEP_MS: int(10_000, 100),
    INGEST_BATCH_RETRIES: int(3, 0, 20),
    INGEST_BATCH_RETRY_DELAY_MS: int(500, 0, 60_000),
    INGEST_JOB_RETENTION_MS: int(7 * 24 * 3600 * 1000, 0),
    INGEST_JOBS_PAGE_MAX: int(100, 1, 1000),

    // Read by `npm run ingest` (the client), not by the API.
    RAG_API_URL: z.url().default('http://localhost:3000'),
    RAG_API_TOKEN: optionalString,
  })
  .superRefine(checkIssuerEnv)
  .refine((env) => env.CHUNK_OVERLAP < env.CHUNK_SIZE, {
    path: ['CHUNK_OVERLAP'],
    message: 'must be smaller than CHUNK_SIZE',
  })
  .refine(
    (env) => env.QUERY_MAX_CHUNK_CHARS === undefined || env.QUERY_MAX_CHUNK_CHARS >= env.CHUNK_SIZE,
    {
      path: ['QUERY_MAX_CHUNK_CHARS'],
      message: 'must not be smaller than CHUNK_SIZE (it would cut the chunks this API writes)',
    },
  )
  .refine((env) => env.SERVER_HEADERS_TIMEOUT_MS <= env.SERVER_REQUEST_TIMEOUT_MS, {
    path: ['SERVER_HEADERS_TIMEOUT_MS'],
    message: 'must not exceed SERVER_REQUEST_TIMEOUT_MS',
  })
  .refine((env) => env.INGEST_MAX_REQUEST_BYTES <= env.INGEST_UPLOAD_BUDGET_BYTES, {
    path: ['INGEST_UPLOAD_BUDGET_BYTES'],
    message: 'must be at least INGEST_MAX_REQUEST_BYTES, or the largest upload could never fit',
  })
  // A slow file then fails alone, reported in the job, instead of the whole request timing out.
  .refine((env) => env.INGEST_EXTRACT_TIMEOUT_MS < env.REQUEST_TIMEOUT_MS, {
    path: ['INGEST_EXTRACT_TIMEOUT_MS'],
    message: 'must be smaller than REQUEST_TIMEOUT_MS',
  })
  .refine((env) => env.DEFAULT_TOP_K <= env.MAX_TOP_K, {
    path: ['DEFAULT_TOP_K'],
    message: 'must not exceed MAX_TOP_K',
  })
  .refine((env) => env.EMBEDDINGS_PROVIDER !== 'openai' || env.EMBEDDINGS_MODEL !== undefined, {
    path: ['EMBEDDINGS_MODEL'],
    message: 'is required when EMBEDDINGS_PROVIDER=openai',
  })
  .refine((env) => env.LLM_PROVIDER !== 'openai' || env.LLM_MODEL !== undefined, {
    path: ['LLM_MODEL'],
    message: 'is required when LLM_PROVIDER=openai',
  });

export type Env = z.infer<typeof envSchema>;
