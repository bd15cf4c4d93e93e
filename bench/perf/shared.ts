import { ChromaClient } from 'chromadb';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { CachingEmbedder } from '../../src/embeddings/caching.embedder';
import { DEFAULT_GLOVE_FEATURES, GloveEmbedder } from '../../src/embeddings/glove.embedder';
import { GloveVectors } from '../../src/embeddings/glove-vectors';

export const ROOT = join(__dirname, '..', '..');
export const MODELS_DIR = join(ROOT, 'node_modules', '.cache', 'rag-test-models');
export const TOP_K = 5;

/** The app's default embedder stack (GloVe behind the query cache), with the app's defaults. */
export function appEmbedder(): CachingEmbedder {
  const { embeddings } = AppConfig.fromEnv({ MODELS_DIR });
  const glove = new GloveEmbedder((maxWords) => GloveVectors.load(MODELS_DIR, { maxWords }), {
    ...DEFAULT_GLOVE_FEATURES,
    lexicalDimensions: embeddings.lexicalDimensions,
    vocabulary: embeddings.gloveVocabulary,
  });
  return new CachingEmbedder(glove, {
    cacheSize: embeddings.cacheSize,
    batchSize: embeddings.batchSize,
  });
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
};

/** What one load run measured; latencies in ms. */
export interface LoadResult {
  connections: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/** A chromadb client for a loopback server URL. */
export function chromaClient(url: string): ChromaClient {
  const { hostname, port } = new URL(url);
  return new ChromaClient({ host: hostname, port: Number(port), ssl: false });
}
