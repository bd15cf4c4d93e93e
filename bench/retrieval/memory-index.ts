import { TermStats, termHash, terms } from '../../src/documents/term-stats';
import type { BenchChunk } from './sets';

export interface Scored extends BenchChunk {
  score: number;
}

/**
 * Exact in-memory search over a set's chunks: cosine over stored vectors (what Chroma returns
 * on a collection this small, without HNSW's approximation), optionally restricted to chunks
 * containing a string (Chroma's `where_document: {$contains}`, case-sensitive).
 */
export class MemoryIndex {
  constructor(
    readonly chunks: BenchChunk[],
    private readonly vectors: number[][],
  ) {}

  query(embedding: number[], topK: number, contains?: (text: string) => boolean): Scored[] {
    const scored: Scored[] = [];
    this.vectors.forEach((vector, i) => {
      if (contains && !contains(this.chunks[i].text)) return;
      let score = 0;
      for (let d = 0; d < vector.length; d++) score += vector[d] * embedding[d];
      scored.push({ ...this.chunks[i], score });
    });
    return scored.sort((a, b) => b.score - a.score).slice(0, topK);
  }
}

/** Plain BM25 (k1 1.2, b 0.75) over every chunk's body, with corpus-wide IDF: the baseline. */
export class Bm25Index {
  private readonly stats: TermStats[];
  private readonly averageLength: number;

  constructor(readonly chunks: BenchChunk[]) {
    this.stats = chunks.map((chunk) => TermStats.of(chunk.text));
    this.averageLength = this.stats.reduce((sum, s) => sum + s.length, 0) / this.stats.length;
  }

  search(query: string, topK: number): Scored[] {
    const k1 = 1.2;
    const b = 0.75;
    const n = this.stats.length;
    const queryTerms = [...new Set(terms(query).map(termHash))];
    const scores = new Float64Array(n);
    for (const term of queryTerms) {
      const counts = this.stats.map((s) => s.count(term));
      const df = counts.filter((c) => c > 0).length;
      if (df === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      counts.forEach((tf, i) => {
        if (tf === 0) return;
        const norm = k1 * (1 - b + (b * this.stats[i].length) / this.averageLength);
        scores[i] += (idf * tf * (k1 + 1)) / (tf + norm);
      });
    }
    return [...scores.keys()]
      .filter((i) => scores[i] > 0)
      .sort((x, y) => scores[y] - scores[x])
      .slice(0, topK)
      .map((i) => ({ ...this.chunks[i], score: scores[i] }));
  }
}
