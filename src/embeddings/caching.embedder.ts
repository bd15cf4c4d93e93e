import { LRUCache } from 'lru-cache';
import { InvalidInputError } from '../common/domain-errors';
import { Embedder, type EmbedderFingerprint } from './embedder.port';

export interface CachingOptions {
  /** Query embeddings kept in memory; 0 turns the cache off. */
  cacheSize: number;
  /** Most texts sent to the inner embedder in one call. */
  batchSize: number;
}

/**
 * Decorates any provider: caches query vectors (users repeat queries; providers bill per call)
 * and splits large document lists into provider-sized batches.
 */
export class CachingEmbedder extends Embedder {
  private readonly cache?: LRUCache<string, number[]>;

  constructor(
    private readonly inner: Embedder,
    private readonly options: CachingOptions,
  ) {
    super();
    if (options.cacheSize > 0) this.cache = new LRUCache({ max: options.cacheSize });
  }

  get fingerprint(): EmbedderFingerprint {
    return this.inner.fingerprint;
  }

  ready(): Promise<void> {
    return this.inner.ready();
  }

  async embedDocuments(texts: string[], titles?: (string | undefined)[]): Promise<number[][]> {
    if (titles && titles.length !== texts.length) {
      throw new InvalidInputError(
        'titles',
        `expected ${texts.length} titles, got ${titles.length}`,
      );
    }
    const vectors: number[][] = [];
    // Sequential on purpose: one batch in flight keeps us within provider rate limits.
    for (let start = 0; start < texts.length; start += this.options.batchSize) {
      const end = start + this.options.batchSize;
      vectors.push(
        ...(await this.inner.embedDocuments(texts.slice(start, end), titles?.slice(start, end))),
      );
    }
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    if (text.trim() === '') throw new InvalidInputError('query', 'must not be empty');
    const cached = this.cache?.get(text);
    // Copies, so a caller mutating its vector cannot corrupt the cache.
    if (cached) return [...cached];
    const vector = await this.inner.embedQuery(text);
    this.cache?.set(text, vector);
    return [...vector];
  }
}
