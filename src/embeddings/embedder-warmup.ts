import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Embedder, fingerprintToString } from './embedder.port';
import { EmbeddingsConfig } from './embeddings.config';

/**
 * Makes the configured embedder ready at boot without blocking it (a model load, a dimension
 * probe) and reports the outcome. At shutdown a probe still running is cancelled and the
 * warm-up awaited, so its outcome is never logged after the process says it stopped.
 */
@Injectable()
export class EmbedderWarmup implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Embeddings');
  private readonly shutdown = new AbortController();
  private settled: Promise<void> = Promise.resolve();

  constructor(
    private readonly embedder: Embedder,
    private readonly config: EmbeddingsConfig,
  ) {}

  onModuleInit(): void {
    this.settled = this.embedder.ready(this.shutdown.signal).then(
      () => this.logger.log(`embedder ${fingerprintToString(this.embedder.fingerprint)} is ready`),
      (error: unknown) => {
        // Cancelled by shutdown: not a failure worth reporting.
        if (error === this.shutdown.signal.reason) return;
        this.logger.error(`embedder (${this.config.provider}) is not ready: ${String(error)}`);
      },
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort(new Error('the API is shutting down'));
    await this.settled;
  }
}
