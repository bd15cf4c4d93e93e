import { Test } from '@nestjs/testing';
import { ConfigModule } from '../config/config.module';
import { ENV, parseEnv } from '../config/env';
import { CachingEmbedder } from './caching.embedder';
import { Embedder } from './embedder.port';
import { EmbeddingsModule } from './embeddings.module';

async function embedderFor(env: Record<string, string>): Promise<Embedder> {
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule, EmbeddingsModule] })
    .overrideProvider(ENV)
    .useValue(parseEnv(env))
    .setLogger({ log: () => undefined, error: () => undefined, warn: () => undefined })
    .compile();
  return moduleRef.get(Embedder);
}

describe('EmbeddingsModule', () => {
  it('provides the configured provider behind the caching layer', async () => {
    const embedder = await embedderFor({
      EMBEDDINGS_PROVIDER: 'bedrock',
      EMBEDDINGS_DIMENSIONS: '256',
      BEDROCK_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(embedder).toBeInstanceOf(CachingEmbedder);
    await embedder.ready();
    expect(embedder.fingerprint).toEqual({
      provider: 'bedrock',
      model: 'amazon.titan-embed-text-v2:0',
      dimension: 256,
    });
  });

  it('picks an OpenAI-compatible endpoint when configured', async () => {
    const embedder = await embedderFor({
      EMBEDDINGS_PROVIDER: 'openai',
      EMBEDDINGS_MODEL: 'text-embedding-3-small',
      EMBEDDINGS_DIMENSIONS: '512',
      EMBEDDINGS_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(embedder.fingerprint).toEqual({
      provider: 'openai',
      model: 'text-embedding-3-small',
      dimension: 512,
    });
  });
});
