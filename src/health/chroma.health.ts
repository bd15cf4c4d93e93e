import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { VectorStore } from '../vector-store/vector-store.port';

/** Up when Chroma answers its heartbeat within the health check timeout. */
@Injectable()
export class ChromaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly store: VectorStore,
    private readonly config: AppConfig,
  ) {}

  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    const strategy = this.store.strategy;
    const timeoutMs = this.config.healthCheckTimeoutMs;
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
