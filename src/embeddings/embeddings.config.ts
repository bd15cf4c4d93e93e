import { dataPath } from '../config/env';
import type { Env } from '../config/env.schema';

/** The configured embedding provider, its limits, and where prepared local models live. */
export abstract class EmbeddingsConfig {
  abstract readonly provider: Env['EMBEDDINGS_PROVIDER'];
  abstract readonly model?: string;
  abstract readonly baseUrl?: string;
  abstract readonly apiKey?: string;
  abstract readonly dimensions?: number;
  abstract readonly batchSize: number;
  abstract readonly timeoutMs: number;
  abstract readonly maxRetries: number;
  abstract readonly cacheSize: number;
  /** Hash buckets of the local embedder's lexical part (part of its fingerprint). */
  abstract readonly lexicalDimensions: number;
  /** Most frequent GloVe words given vectors by the local embedder; undefined: all of them. */
  abstract readonly gloveVocabulary?: number;
  abstract readonly awsRegion: string;
  abstract readonly bedrockEndpoint?: string;
  /** Where prepared embedding models (converted word vectors) live. */
  abstract readonly modelsDir: string;
}

/** Built once at boot from the validated environment (EmbeddingsModule's provider). */
export const embeddingsConfigFrom = (env: Env): EmbeddingsConfig => ({
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
  modelsDir: dataPath(env, 'models', env.MODELS_DIR),
});
