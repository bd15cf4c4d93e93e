import { LRUCache } from 'lru-cache';
import type {
  ScoredRecord,
  StoredRecord,
  VectorStore,
  WhereFilter,
} from '../vector-store/vector-store.port';
import { chunkHash } from './document-metadata';

/**
 * A reranking query's candidates with their texts, the texts read from a cache keyed by each
 * chunk's `chunk_hash` where it can. Chroma's cost of a query grows with the rows it reads and
 * sends, and the texts are the larger part of them (bench/README.md, "cost of candidates"), so
 * candidates are fetched without texts and only the texts the cache lacks are fetched by id.
 * A text is cached under its own hash (checked), so a cached text is never stale: an edited
 * chunk comes with another hash. When a fetched chunk no longer matches its candidate (edited
 * between the two calls), the query is made once more with texts, as it was before this cache.
 * `chunk_hash` is a system key (clients cannot set it) written beside its text; copies of records
 * (re-index, migration) keep the pair. A record written around the API with another text's hash
 * would be served that text while it is cached.
 */
export class CandidateTexts {
  private readonly texts: LRUCache<string, string>;
  /**
   * Collections seen holding chunks written before `chunk_hash` existed: their candidates come
   * with texts again (one call, not two), until the process restarts.
   */
  private readonly unhashed = new Set<string>();

  constructor(
    private readonly store: VectorStore,
    maxEntries: number,
    /** Longer texts are served but not kept, so the cache holds at most entries × this. */
    private readonly maxChars: number,
  ) {
    this.texts = new LRUCache({ max: maxEntries });
  }

  async query(
    collection: string,
    embedding: number[],
    candidates: number,
    where?: WhereFilter,
  ): Promise<ScoredRecord[]> {
    if (this.unhashed.has(collection)) {
      return this.store.query(collection, embedding, candidates, where);
    }
    const hits = await this.store.query(collection, embedding, candidates, where, {
      withTexts: false,
    });
    return (
      (await this.withTexts(collection, hits)) ??
      this.store.query(collection, embedding, candidates, where)
    );
  }

  /** The hits with their texts; undefined when a fetched chunk no longer matches its hit. */
  private async withTexts(
    collection: string,
    hits: ScoredRecord[],
  ): Promise<ScoredRecord[] | undefined> {
    const hashes = hits.map((hit) => {
      const hash = hit.metadata.chunk_hash;
      return typeof hash === 'string' ? hash : undefined;
    });
    if (hashes.includes(undefined)) this.unhashed.add(collection);
    const cached = hashes.map((hash) => (hash === undefined ? undefined : this.texts.get(hash)));
    const missing = hits.filter((_, i) => cached[i] === undefined).map((hit) => hit.id);
    const fetched = new Map<string, StoredRecord>();
    if (missing.length > 0) {
      for (const record of await this.store.getByIds(collection, missing))
        fetched.set(record.id, record);
    }
    const filled: ScoredRecord[] = [];
    for (const [i, hit] of hits.entries()) {
      let text = cached[i];
      if (text === undefined) {
        const record = fetched.get(hit.id);
        if (!record || record.metadata.chunk_hash !== hit.metadata.chunk_hash) return undefined;
        text = record.text;
        const hash = hashes[i];
        // Only a text that is what its hash says is cached: a wrong hash written by anyone else
        // must not let one chunk's text be served for another.
        if (hash !== undefined && text.length <= this.maxChars && chunkHash(text) === hash) {
          this.texts.set(hash, text);
        }
      }
      filled.push({ ...hit, text });
    }
    return filled;
  }
}
