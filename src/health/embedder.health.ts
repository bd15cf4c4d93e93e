import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Embedder, fingerprintToString } from '../embeddings/embedder.port';
import { HealthConfig } from './health.config';

/** Ready when the embedding model is loaded (local) or configured and reachable (remote). */
@Injectable()
export class EmbedderHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly embedder: Embedder,
    private readonly config: HealthConfig,
  ) {}

  isHealthy(key: string) {
    return this.health
      .check(key)
      .attempt(async () => {
        await this.embedder.ready();
        return { model: fingerprintToString(this.embedder.fingerprint) };
      })
      .withTimeout(this.config.checkTimeoutMs);
  }
}
