import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { EmbeddingsConfig } from './embeddings.config';
import { GloveVectors } from './glove-vectors';

/**
 * Loads the word vectors once per vocabulary size, for every local embedder (the configured
 * one and the catalog's: an older collection may need more words than the default). Loads
 * still running at shutdown are cancelled (a conversion child is killed) and awaited, so
 * nothing is reported after the process says it stopped.
 */
@Injectable()
export class GloveLoader implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('Embeddings');
  private readonly loading = new Map<number | undefined, Promise<GloveVectors>>();
  private readonly shutdown = new AbortController();

  constructor(private readonly config: EmbeddingsConfig) {}

  /** The `vocabulary` most frequent word vectors (all when undefined); bound, to pass as is. */
  readonly load = (vocabulary?: number): Promise<GloveVectors> => {
    let vectors = this.loading.get(vocabulary);
    if (!vectors) {
      const started = Date.now();
      vectors = GloveVectors.load(this.config.modelsDir, {
        maxWords: vocabulary,
        signal: this.shutdown.signal,
      });
      this.loading.set(vocabulary, vectors);
      vectors.then(
        (loaded) =>
          this.logger.log(
            `GloVe vectors (${loaded.size} words) ready in ${Date.now() - started} ms`,
          ),
        // Forget a failure so the next call retries.
        () => this.loading.delete(vocabulary),
      );
    }
    return vectors;
  };

  /** First of the shutdown hooks: other modules' hooks may be waiting on a load. */
  onModuleDestroy(): void {
    this.shutdown.abort(new Error('the API is shutting down'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.loading.values());
  }
}
