import { Logger, Module } from '@nestjs/common';
import { ENV } from '../config/env';
import { OperationRecorder } from '../observability/operation-recorder';
import { BedrockEmbedder } from './bedrock.embedder';
import { CachingEmbedder } from './caching.embedder';
import { EmbedderCatalog } from './embedder-catalog';
import { Embedder, fingerprintToString } from './embedder.port';
import { EmbeddingsConfig, embeddingsConfigFrom } from './embeddings.config';
import { DEFAULT_GLOVE_FEATURES, GloveEmbedder } from './glove.embedder';
import { GloveVectors } from './glove-vectors';
import { OpenAiEmbedder } from './openai.embedder';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const GLOVE_LOADER = Symbol('GLOVE_LOADER');
/** The `vocabulary` most frequent word vectors (all when undefined), loaded once per size. */
type GloveLoader = (vocabulary?: number) => Promise<GloveVectors>;

function createProvider(embeddings: EmbeddingsConfig, loadGlove: GloveLoader): Embedder {
  const retry = { maxRetries: embeddings.maxRetries };
  switch (embeddings.provider) {
    case 'openai':
      return new OpenAiEmbedder({
        baseUrl: embeddings.baseUrl ?? OPENAI_BASE_URL,
        // The env schema requires a model for this provider.
        model: embeddings.model ?? '',
        apiKey: embeddings.apiKey,
        dimensions: embeddings.dimensions,
        timeoutMs: embeddings.timeoutMs,
        retry,
      });
    case 'bedrock':
      return new BedrockEmbedder({
        model: embeddings.model,
        dimensions: embeddings.dimensions,
        region: embeddings.awsRegion,
        endpoint: embeddings.bedrockEndpoint,
        timeoutMs: embeddings.timeoutMs,
        retry,
      });
    case 'local':
      return new GloveEmbedder(loadGlove, {
        ...DEFAULT_GLOVE_FEATURES,
        lexicalDimensions: embeddings.lexicalDimensions,
        vocabulary: embeddings.gloveVocabulary,
      });
  }
}

/**
 * Loads the word vectors once per vocabulary size, for every local embedder (the configured
 * one and the catalog's: an older collection may need more words than the default).
 */
function gloveLoader(config: EmbeddingsConfig, logger: Logger): GloveLoader {
  const loading = new Map<number | undefined, Promise<GloveVectors>>();
  return (vocabulary) => {
    let vectors = loading.get(vocabulary);
    if (!vectors) {
      const started = Date.now();
      vectors = GloveVectors.load(config.modelsDir, { maxWords: vocabulary });
      loading.set(vocabulary, vectors);
      vectors.then(
        (loaded) =>
          logger.log(`GloVe vectors (${loaded.size} words) ready in ${Date.now() - started} ms`),
        // Forget a failure so the next call retries.
        () => loading.delete(vocabulary),
      );
    }
    return vectors;
  };
}

/** Query cache, batching and metrics around any provider. */
const withCaching = (provider: Embedder, config: EmbeddingsConfig, recorder?: OperationRecorder) =>
  new CachingEmbedder(provider, {
    cacheSize: config.cacheSize,
    batchSize: config.batchSize,
    recorder,
  });

/**
 * Provides the `Embedder` port for the configured provider, behind the query cache and
 * document batching, and the catalog of embedders able to read collections made by others.
 * Readiness (model load, dimension probe) starts at boot without blocking it; consumers
 * await `ready()` before reading the fingerprint.
 */
@Module({
  providers: [
    { provide: EmbeddingsConfig, useFactory: embeddingsConfigFrom, inject: [ENV] },
    {
      provide: GLOVE_LOADER,
      inject: [EmbeddingsConfig],
      useFactory: (config: EmbeddingsConfig): GloveLoader =>
        gloveLoader(config, new Logger('Embeddings')),
    },
    {
      provide: Embedder,
      // Optional so the module also boots without ObservabilityModule (unit tests).
      inject: [EmbeddingsConfig, GLOVE_LOADER, { token: OperationRecorder, optional: true }],
      useFactory: (
        config: EmbeddingsConfig,
        loadGlove: GloveLoader,
        recorder?: OperationRecorder,
      ) => {
        const logger = new Logger('Embeddings');
        const embedder = withCaching(createProvider(config, loadGlove), config, recorder);
        embedder.ready().then(
          () => logger.log(`embedder ${fingerprintToString(embedder.fingerprint)} is ready`),
          (error: unknown) =>
            logger.error(`embedder (${config.provider}) is not ready: ${String(error)}`),
        );
        return embedder;
      },
    },
    {
      provide: EmbedderCatalog,
      inject: [
        EmbeddingsConfig,
        Embedder,
        GLOVE_LOADER,
        { token: OperationRecorder, optional: true },
      ],
      useFactory: (
        config: EmbeddingsConfig,
        configured: Embedder,
        loadGlove: GloveLoader,
        recorder?: OperationRecorder,
      ) =>
        new EmbedderCatalog(configured, (options) =>
          withCaching(new GloveEmbedder(loadGlove, options), config, recorder),
        ),
    },
  ],
  exports: [Embedder, EmbedderCatalog],
})
export class EmbeddingsModule {}
