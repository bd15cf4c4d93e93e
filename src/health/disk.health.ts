import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { statfs } from 'node:fs/promises';
import { VectorStoreConfig } from '../vector-store/vector-store.config';
import { HealthConfig } from './health.config';

/**
 * Up while the disk holding the embedded Chroma folder has at least HEALTH_DISK_MIN_FREE_BYTES
 * free: a full disk makes Chroma fail writes, so the instance should stop taking traffic first.
 */
@Injectable()
export class DiskHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: HealthConfig,
    private readonly store: VectorStoreConfig,
  ) {}

  isHealthy(key: string) {
    const path = this.store.embedded.path;
    const minFreeBytes = this.config.diskMinFreeBytes;
    return this.health
      .check(key)
      .attempt(async () => {
        const stats = await statfs(path);
        const freeBytes = stats.bavail * stats.bsize;
        if (freeBytes < minFreeBytes) {
          throw new Error(
            `${freeBytes} bytes free for ${path}, below HEALTH_DISK_MIN_FREE_BYTES (${minFreeBytes})`,
          );
        }
        return { path, freeBytes };
      })
      .withTimeout(this.config.checkTimeoutMs);
  }
}
