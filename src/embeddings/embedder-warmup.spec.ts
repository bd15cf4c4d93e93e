import { Logger } from '@nestjs/common';
import { EmbedderWarmup } from './embedder-warmup';
import type { Embedder } from './embedder.port';
import type { EmbeddingsConfig } from './embeddings.config';

const config = { provider: 'openai' } as EmbeddingsConfig;
const fingerprint = { provider: 'openai', model: 'm', dimension: 3 };

describe('EmbedderWarmup', () => {
  let log: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(() => {
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const warmupWith = (ready: (signal?: AbortSignal) => Promise<void>) =>
    new EmbedderWarmup({ fingerprint, ready } as unknown as Embedder, config);

  it('reports the embedder ready once it is', async () => {
    const warmup = warmupWith(() => Promise.resolve());
    warmup.onModuleInit();
    await warmup.beforeApplicationShutdown();
    expect(log).toHaveBeenCalledWith('embedder openai/m/3 is ready');
    expect(error).not.toHaveBeenCalled();
  });

  it('reports why the embedder is not ready', async () => {
    const warmup = warmupWith(() => Promise.reject(new Error('HTTP 401')));
    warmup.onModuleInit();
    await warmup.beforeApplicationShutdown();
    expect(error).toHaveBeenCalledWith('embedder (openai) is not ready: Error: HTTP 401');
  });

  it('cancels a probe still running at shutdown, waits for it and reports nothing', async () => {
    let settled = false;
    const warmup = warmupWith(
      (signal) =>
        new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () =>
            setTimeout(() => {
              settled = true;
              reject(signal.reason as Error);
            }, 20),
          ),
        ),
    );
    warmup.onModuleInit();
    warmup.onModuleDestroy();
    await warmup.beforeApplicationShutdown();
    expect(settled).toBe(true);
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});
