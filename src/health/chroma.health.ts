import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { VectorStore } from '../vector-store/vector-store.port';
import { HealthConfig } from './health.config';

/** Up when Chroma answers its heartbeat within the health check timeout. */
@Injectable()
export class ChromaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly store: VectorStore,
    private readonly config: HealthConfig,
  ) {}

  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    const strategy = this.store.strategy;
    const timeoutMs = this.config.checkTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no heartbeat within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.store.heartbeat(), timeout]);
      return indicator.up({ strategy });
    } catch (error) {
      return indicator.down({ strategy, message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
