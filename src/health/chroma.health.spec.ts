import { HealthIndicatorService } from '@nestjs/terminus';
import { VectorStoreUnavailableError } from '../common/domain-errors';
import type { VectorStore } from '../vector-store/vector-store.port';
import { ChromaHealthIndicator } from './chroma.health';

describe('ChromaHealthIndicator', () => {
  const indicator = (heartbeat: () => Promise<void>) =>
    new ChromaHealthIndicator(
      new HealthIndicatorService(),
      { strategy: 'embedded', heartbeat } as unknown as VectorStore,
      { checkTimeoutMs: 50, diskMinFreeBytes: 0 },
    );

  it('is up when the heartbeat answers', async () => {
    await expect(indicator(() => Promise.resolve()).isHealthy('chroma')).resolves.toEqual({
      chroma: { status: 'up', strategy: 'embedded' },
    });
  });

  it('is down with the reason when the heartbeat fails', async () => {
    const failing = () => Promise.reject(new VectorStoreUnavailableError());
    await expect(indicator(failing).isHealthy('chroma')).resolves.toEqual({
      chroma: { status: 'down', strategy: 'embedded', message: 'the vector store is unavailable' },
    });
  });

  it('is down when the heartbeat does not answer in time', async () => {
    const hanging = () => new Promise<void>(() => undefined);
    await expect(indicator(hanging).isHealthy('chroma')).resolves.toEqual({
      chroma: { status: 'down', strategy: 'embedded', message: 'no heartbeat within 50 ms' },
    });
  });
});
