import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
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
export class EmbedderWarmup implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
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
        // Shutting down: a load or probe cancelled by it is not a failure worth reporting.
        if (this.shutdown.signal.aborted) return;
        this.logger.error(`embedder (${this.config.provider}) is not ready: ${String(error)}`);
      },
    );
  }

  /** First of the shutdown hooks: other modules' hooks may be waiting on readiness. */
  onModuleDestroy(): void {
    this.shutdown.abort(new Error('the API is shutting down'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled;
  }
}
