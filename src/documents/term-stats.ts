import { LRUCache } from 'lru-cache';
import { compounds, fnv1a, lightStem, tokenize } from '../text/text-features';

/** Stems plus whole compounds (`lru-cache`, `1.2.3`), so exact identifiers also match exactly. */
export function terms(text: string): string[] {
  return [...tokenize(text).map(lightStem), ...compounds(text)];
}

/** The term hash BM25 compares; the reranker hashes query terms the same way. */
export const termHash = fnv1a;

/**
 * A text's term counts as sorted 32-bit term hashes with their counts: about 6 bytes per
 * distinct term, so thousands fit in a cache. Two terms sharing a hash would count as one; at
 * a few hundred terms per chunk that chance is around one in ten million per query term.
 */
export class TermStats {
  private constructor(
    private readonly hashes: Uint32Array,
    private readonly counts: Uint16Array,
    /** Number of terms, repeats included (BM25's document length). */
    readonly length: number,
  ) {}

  static of(text: string): TermStats {
    const list = terms(text);
    const byHash = new Map<number, number>();
    for (const term of list) {
      const hash = termHash(term);
      byHash.set(hash, (byHash.get(hash) ?? 0) + 1);
    }
    const hashes = Uint32Array.from(byHash.keys()).sort();
    const counts = Uint16Array.from(hashes, (hash) => Math.min(byHash.get(hash)!, 0xffff));
    return new TermStats(hashes, counts, list.length);
  }

  count(hash: number): number {
    let low = 0;
    let high = this.hashes.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = this.hashes[mid];
      if (value === hash) return this.counts[mid];
      if (value < hash) low = mid + 1;
      else high = mid - 1;
    }
    return 0;
  }
}

/**
 * TermStats by text, least recently used evicted first. Keyed by the text itself, so an edited
 * chunk can never be served stale counts. Popular chunks come back in many candidate sets, and
 * tokenising them again was the largest cost of a query.
 */
export class TermStatsCache {
  private readonly entries?: LRUCache<string, TermStats>;

  constructor(maxEntries: number) {
    if (maxEntries > 0) this.entries = new LRUCache({ max: maxEntries });
  }

  get(text: string): TermStats {
    let stats = this.entries?.get(text);
    if (!stats) {
      stats = TermStats.of(text);
      this.entries?.set(text, stats);
    }
    return stats;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
