import { Logger } from '@nestjs/common';
import type { EmbeddingsConfig } from './embeddings.config';
import { GloveVectors } from './glove-vectors';
import { GloveLoader } from './glove.loader';

const config = { modelsDir: '/models' } as EmbeddingsConfig;
const vectors = GloveVectors.fromMatrix(['the'], 1, new Float32Array([1]));

describe('GloveLoader', () => {
  let load: jest.SpyInstance;
  let log: jest.SpyInstance;

  beforeEach(() => {
    load = jest.spyOn(GloveVectors, 'load');
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('loads each vocabulary size once and reports it', async () => {
    load.mockResolvedValue(vectors);
    const loader = new GloveLoader(config);
    expect(loader.load(10)).toBe(loader.load(10));
    await loader.load(10);
    await loader.load();
    expect(load.mock.calls.map(([dir, options]) => [dir, options.maxWords])).toEqual([
      ['/models', 10],
      ['/models', undefined],
    ]);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^GloVe vectors \(1 words\) ready in/));
  });

  it('forgets a failed load so the next call retries', async () => {
    load.mockRejectedValueOnce(new Error('disk')).mockResolvedValueOnce(vectors);
    const loader = new GloveLoader(config);
    await expect(loader.load(10)).rejects.toThrow('disk');
    await expect(loader.load(10)).resolves.toBe(vectors);
  });

  it('cancels the loads still running at shutdown and waits for them to settle', async () => {
    let settled = false;
    load.mockImplementation(
      (_dir: string, { signal }: { signal: AbortSignal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              settled = true;
              reject(signal.reason as Error);
            }, 20),
          ),
        ),
    );
    const loader = new GloveLoader(config);
    const loading = loader.load(10);
    loader.onModuleDestroy();
    await loader.beforeApplicationShutdown();
    expect(settled).toBe(true);
    await expect(loading).rejects.toThrow('the API is shutting down');
    expect(log).not.toHaveBeenCalled();
  });
});
