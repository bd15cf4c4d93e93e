import { LRUCache } from 'lru-cache';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InvalidInputError } from '../common/domain-errors';
import { NOOP_RECORDER, type OperationRecorder } from '../observability/operation-recorder';
import { Embedder, type EmbedderFingerprint } from './embedder.port';

export interface CachingOptions {
  /** Query embeddings kept in memory; 0 turns the cache off. */
  cacheSize: number;
  /** Most texts sent to the inner embedder in one call. */
  batchSize: number;
  /** Times every provider call (metrics, trace spans); records nothing when absent. */
  recorder?: OperationRecorder;
}

/**
 * Decorates any provider: caches query vectors (users repeat queries; providers bill per call)
 * and splits large document lists into provider-sized batches.
 */
export class CachingEmbedder extends Embedder {
  private readonly cache?: LRUCache<string, number[]>;
  private readonly recorder: OperationRecorder;

  constructor(
    private readonly inner: Embedder,
    private readonly options: CachingOptions,
  ) {
    super();
    if (options.cacheSize > 0) this.cache = new LRUCache({ max: options.cacheSize });
    this.recorder = options.recorder ?? NOOP_RECORDER;
  }

  get fingerprint(): EmbedderFingerprint {
    return this.inner.fingerprint;
  }

  ready(signal?: AbortSignal): Promise<void> {
    return this.inner.ready(signal);
  }

  async embedDocuments(
    texts: string[],
    titles?: (string | undefined)[],
    signal?: AbortSignal,
  ): Promise<number[][]> {
    if (titles && titles.length !== texts.length) {
      throw new InvalidInputError(
        'titles',
        `expected ${texts.length} titles, got ${titles.length}`,
      );
    }
    const vectors: number[][] = [];
    // Sequential on purpose: one batch in flight keeps us within provider rate limits.
    for (let start = 0; start < texts.length; start += this.options.batchSize) {
      // A local embedder computes synchronously: give waiting requests a turn between batches.
      if (start > 0) await nextTurn();
      signal?.throwIfAborted();
      const batch = texts.slice(start, start + this.options.batchSize);
      const batchTitles = titles?.slice(start, start + this.options.batchSize);
      vectors.push(
        ...(await this.recorder.embedding('documents', batch.length, () =>
          this.inner.embedDocuments(batch, batchTitles, signal),
        )),
      );
    }
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    if (text.trim() === '') throw new InvalidInputError('query', 'must not be empty');
    const cached = this.cache?.get(text);
    // Copies, so a caller mutating its vector cannot corrupt the cache.
    if (cached) return [...cached];
    const vector = await this.recorder.embedding('query', 1, () => this.inner.embedQuery(text));
    this.cache?.set(text, vector);
    return [...vector];
  }
}
