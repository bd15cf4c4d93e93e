import { HealthIndicatorService } from '@nestjs/terminus';
import { tmpdir } from 'node:os';
import type { VectorStoreConfig } from '../vector-store/vector-store.config';
import { DiskHealthIndicator } from './disk.health';

describe('DiskHealthIndicator', () => {
  const indicator = (path: string, diskMinFreeBytes: number) =>
    new DiskHealthIndicator(
      new HealthIndicatorService(),
      { diskMinFreeBytes, checkTimeoutMs: 1000 },
      { embedded: { path } } as VectorStoreConfig,
    );

  it('is up with the free space when above the threshold', async () => {
    const result = await indicator(tmpdir(), 0).isHealthy('disk');
    expect(result.disk).toMatchObject({ status: 'up', path: tmpdir() });
    expect(result.disk.freeBytes).toBeGreaterThan(0);
  });

  it('is down naming the threshold when below it', async () => {
    const result = await indicator(tmpdir(), Number.MAX_SAFE_INTEGER).isHealthy('disk');
    expect(result.disk.status).toBe('down');
    expect(result.disk.message).toContain('HEALTH_DISK_MIN_FREE_BYTES');
  });

  it('is down when the folder does not exist', async () => {
    const result = await indicator('/nonexistent/chroma', 0).isHealthy('disk');
    expect(result.disk.status).toBe('down');
  });
});
