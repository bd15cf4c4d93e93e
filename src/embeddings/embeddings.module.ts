import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BedrockEmbedder } from './bedrock.embedder';
import { CachingEmbedder } from './caching.embedder';
import { Embedder, fingerprintToString } from './embedder.port';
import { GloveEmbedder } from './glove.embedder';
import { GloveVectors } from './glove-vectors';
import { OpenAiEmbedder } from './openai.embedder';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

function createProvider(config: AppConfig, logger: Logger): Embedder {
  const { embeddings } = config;
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
      return new GloveEmbedder(async () => {
        const started = Date.now();
        const vectors = await GloveVectors.load(config.modelsDir);
        logger.log(`GloVe vectors (${vectors.size} words) ready in ${Date.now() - started} ms`);
        return vectors;
      });
  }
}

/**
 * Provides the `Embedder` port for the configured provider, behind the query cache and
 * document batching. Readiness (model load, dimension probe) starts at boot without
 * blocking it; consumers await `ready()` before reading the fingerprint.
 */
@Module({
  providers: [
    {
      provide: Embedder,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Embedder => {
        const logger = new Logger('Embeddings');
        const { cacheSize, batchSize } = config.embeddings;
        const embedder = new CachingEmbedder(createProvider(config, logger), {
          cacheSize,
          batchSize,
        });
        embedder.ready().then(
          () => logger.log(`embedder ${fingerprintToString(embedder.fingerprint)} is ready`),
          (error: unknown) =>
            logger.error(`embedder (${config.embeddings.provider}) is not ready: ${String(error)}`),
        );
        return embedder;
      },
    },
  ],
  exports: [Embedder],
})
export class EmbeddingsModule {}
