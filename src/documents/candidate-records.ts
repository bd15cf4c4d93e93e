import { LRUCache } from 'lru-cache';
import type {
  Metadata,
  ScoredId,
  ScoredRecord,
  VectorStore,
  WhereFilter,
} from '../vector-store/vector-store.port';
import { chunkHash } from './document-metadata';

export interface CandidateCacheLimits {
  /** Chunk texts kept by their `chunk_hash`. */
  textEntries: number;
  /** Longer texts are served but not kept, so the text cache holds at most entries × this. */
  maxTextChars: number;
  /** Chunk metadata kept by chunk id and write token; 0 keeps none. */
  metadataEntries: number;
  /** How long a chunk's metadata is served without the store's word that it is still current. */
  metadataTtlMs: number;
}

interface CachedMetadata {
  writeToken: string;
  metadata: Metadata;
}

const hashOf = (metadata: Metadata): string | undefined => {
  const hash = metadata.chunk_hash;
  return typeof hash === 'string' ? hash : undefined;
};

/**
 * A reranking query's candidates, read as cheaply as Chroma allows. Its cost grows with the rows
 * it reads and sends (bench/README.md, "cost of candidates"), not with the nearest-neighbour
 * search, so candidates are fetched as ids and scores only, with the collection's write token
 * (vector-store.port.ts), and their rows come from two caches:
 * - metadata by chunk id, valid while the write token is the one it was fetched under (and for
 *   at most `metadataTtlMs`, which bounds what a write made around the API can leave stale);
 * - texts by `chunk_hash`, a system key written beside each text: a cached text is that hash's
 *   text (checked before caching), so it stays valid across writes, and an edit comes with
 *   another hash.
 * What the caches lack is fetched by id. When a candidate is gone by then, or its text's hash
 * differs from its metadata's (edited between the calls), the query is made once more with
 * rows, as it was before these caches. Collections seen holding chunks written before
 * `chunk_hash` existed are always queried with rows (until the process restarts).
 */
export class CandidateRecords {
  private readonly texts: LRUCache<string, string>;
  private readonly metadata?: LRUCache<string, CachedMetadata>;
  private readonly unhashed = new Set<string>();

  constructor(
    private readonly store: VectorStore,
    private readonly limits: CandidateCacheLimits,
    /** The metadata TTL's clock (milliseconds). */
    clock: { now(): number } = performance,
  ) {
    this.texts = new LRUCache({ max: limits.textEntries });
    if (limits.metadataEntries > 0 && limits.metadataTtlMs > 0) {
      this.metadata = new LRUCache({
        max: limits.metadataEntries,
        ttl: limits.metadataTtlMs,
        perf: clock,
        // Reads the clock on every get instead of a value refreshed by a timer.
        ttlResolution: 0,
      });
    }
  }

  async query(
    collection: string,
    embedding: number[],
    candidates: number,
    where?: WhereFilter,
  ): Promise<ScoredRecord[]> {
    if (!this.unhashed.has(collection)) {
      const { hits, writeToken } = await this.store.queryIds(
        collection,
        embedding,
        candidates,
        where,
      );
      const records = await this.withRows(collection, hits, writeToken);
      if (records) return records;
    }
    return this.store.query(collection, embedding, candidates, where);
  }

  /** The hits with their metadata and texts; undefined when one changed or went meanwhile. */
  private async withRows(
    collection: string,
    hits: ScoredId[],
    writeToken: string | undefined,
  ): Promise<ScoredRecord[] | undefined> {
    const metadata = await this.metadataOf(collection, hits, writeToken);
    if (!metadata) return undefined;
    const hashes = metadata.map(hashOf);
    if (hashes.includes(undefined)) this.unhashed.add(collection);
    const texts = hashes.map((hash) => (hash === undefined ? undefined : this.texts.get(hash)));
    const missing = hits.filter((_, i) => texts[i] === undefined).map((hit) => hit.id);
    if (missing.length > 0) {
      const fetched = new Map(
        (await this.store.getByIds(collection, missing)).map((record) => [record.id, record]),
      );
      for (const [i, hit] of hits.entries()) {
        if (texts[i] !== undefined) continue;
        const record = fetched.get(hit.id);
        if (!record || hashOf(record.metadata) !== hashes[i]) return undefined;
        const hash = hashes[i];
        // Only a text that is what its hash says is cached: a wrong hash written by anyone else
        // must not let one chunk's text be served for another.
        if (
          hash !== undefined &&
          record.text.length <= this.limits.maxTextChars &&
          chunkHash(record.text) === hash
        ) {
          this.texts.set(hash, record.text);
        }
        texts[i] = record.text;
      }
    }
    return hits.map((hit, i) => ({ ...hit, metadata: metadata[i], text: texts[i] ?? '' }));
  }

  /** Each hit's metadata, cached or fetched by id; undefined when one is gone. */
  private async metadataOf(
    collection: string,
    hits: ScoredId[],
    writeToken: string | undefined,
  ): Promise<Metadata[] | undefined> {
    const key = (id: string) => `${collection}\n${id}`;
    const metadata = hits.map((hit) => {
      const cached = writeToken === undefined ? undefined : this.metadata?.get(key(hit.id));
      return cached && cached.writeToken === writeToken ? cached.metadata : undefined;
    });
    const missing = hits.filter((_, i) => metadata[i] === undefined).map((hit) => hit.id);
    if (missing.length === 0) return metadata as Metadata[];
    const fetched = new Map(
      (await this.store.getByIds(collection, missing, { withTexts: false })).map((record) => [
        record.id,
        record.metadata,
      ]),
    );
    const filled: Metadata[] = [];
    for (const [i, hit] of hits.entries()) {
      const found = metadata[i] ?? fetched.get(hit.id);
      if (!found) return undefined;
      // Fetched after the token was read, so never older than what that token stands for.
      if (writeToken !== undefined && metadata[i] === undefined) {
        this.metadata?.set(key(hit.id), { writeToken, metadata: found });
      }
      filled.push(found);
    }
    return filled;
  }
}
