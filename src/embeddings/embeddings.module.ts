import { Module } from '@nestjs/common';
import { ENV } from '../config/env';
import { OperationRecorder } from '../observability/operation-recorder';
import { BedrockEmbedder } from './bedrock.embedder';
import { CachingEmbedder } from './caching.embedder';
import { EmbedderCatalog } from './embedder-catalog';
import { EmbedderWarmup } from './embedder-warmup';
import { Embedder } from './embedder.port';
import { EmbeddingsConfig, embeddingsConfigFrom } from './embeddings.config';
import { DEFAULT_GLOVE_FEATURES, GloveEmbedder } from './glove.embedder';
import { GloveLoader } from './glove.loader';
import { OpenAiEmbedder } from './openai.embedder';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

function createProvider(embeddings: EmbeddingsConfig, glove: GloveLoader): Embedder {
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
      return new GloveEmbedder(glove.load, {
        ...DEFAULT_GLOVE_FEATURES,
        lexicalDimensions: embeddings.lexicalDimensions,
        vocabulary: embeddings.gloveVocabulary,
      });
  }
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
 * Readiness (model load, dimension probe) starts at boot without blocking it (EmbedderWarmup);
 * consumers await `ready()` before reading the fingerprint.
 */
@Module({
  providers: [
    { provide: EmbeddingsConfig, useFactory: embeddingsConfigFrom, inject: [ENV] },
    GloveLoader,
    {
      provide: Embedder,
      // Optional so the module also boots without ObservabilityModule (unit tests).
      inject: [EmbeddingsConfig, GloveLoader, { token: OperationRecorder, optional: true }],
      useFactory: (config: EmbeddingsConfig, glove: GloveLoader, recorder?: OperationRecorder) =>
        withCaching(createProvider(config, glove), config, recorder),
    },
    EmbedderWarmup,
    {
      provide: EmbedderCatalog,
      inject: [
        EmbeddingsConfig,
        Embedder,
        GloveLoader,
        { token: OperationRecorder, optional: true },
      ],
      useFactory: (
        config: EmbeddingsConfig,
        configured: Embedder,
        glove: GloveLoader,
        recorder?: OperationRecorder,
      ) =>
        new EmbedderCatalog(configured, (options) =>
          withCaching(new GloveEmbedder(glove.load, options), config, recorder),
        ),
    },
  ],
  exports: [Embedder, EmbedderCatalog],
})
export class EmbeddingsModule {}
