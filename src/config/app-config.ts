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

/** Typed, validated configuration. The only place that reads `process.env`. */
export class AppConfig {
  readonly nodeEnv: Env['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly logLevel: Env['LOG_LEVEL'];
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
    maxIdChars: number;
    maxMetadataKeys: number;
    maxMetadataValueChars: number;
    filter: { maxDepth: number; maxConditions: number; maxListLength: number };
  };

  constructor(env: Env) {
    this.nodeEnv = env.NODE_ENV;
    this.port = env.PORT;
    this.host = env.HOST;
    this.logLevel = env.LOG_LEVEL;
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
      maxIdChars: env.MAX_ID_CHARS,
      maxMetadataKeys: env.MAX_METADATA_KEYS,
      maxMetadataValueChars: env.MAX_METADATA_VALUE_CHARS,
      filter: {
        maxDepth: env.FILTER_MAX_DEPTH,
        maxConditions: env.FILTER_MAX_CONDITIONS,
        maxListLength: env.FILTER_MAX_LIST_LENGTH,
      },
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
