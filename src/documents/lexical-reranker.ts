import { TermStatsCache, termHash, terms } from './term-stats';

export interface RerankOptions {
  /** Share of the fused score taken by the lexical score (0 = keep the vector order). */
  weight: number;
  /** BM25 term-frequency saturation: higher lets repeated terms keep adding. */
  k1: number;
  /** BM25 length normalisation: 0 ignores chunk length, 1 fully normalises. */
  b: number;
  /** How many body occurrences one occurrence in the document title is worth. */
  titleBoost: number;
}

/** Tuned on the aggregate figures of bench/retrieval (see RESULTS.md). */
export const DEFAULT_RERANK_OPTIONS: RerankOptions = {
  weight: 0.6,
  k1: 1.2,
  b: 0.3,
  titleBoost: 2,
};

export interface RerankCandidate {
  text: string;
  /** Vector similarity from the candidate stage; higher is closer. */
  score: number;
  metadata?: Record<string, unknown>;
}

/** Scales to [0, 1] so that scores of different kinds can be mixed; constant lists map to 0. */
function minMax(values: number[]): number[] {
  const min = Math.min(...values);
  const range = Math.max(...values) - min;
  return values.map((value) => (range > 0 ? (value - min) / range : 0));
}

/**
 * Second retrieval stage: BM25 over the candidates the vector store returned, fused with their
 * vector score. Averaged word vectors blur the few rare words that decide a match; BM25 weighs
 * them (IDF), stops repeats from dominating (k1) and does not favour long chunks (b).
 * IDF comes from the candidate set itself, so it needs no corpus statistics and works with any
 * embedder: a term every candidate shares cannot tell them apart.
 */
export class LexicalReranker {
  private readonly stats: TermStatsCache;

  constructor(
    private readonly options: RerankOptions = DEFAULT_RERANK_OPTIONS,
    /** Texts whose term counts are kept between calls (the service passes RERANK_CACHE_ENTRIES). */
    cacheEntries = 0,
  ) {
    this.stats = new TermStatsCache(cacheEntries);
  }

  /** The candidates, best first; items are returned unchanged (score stays the vector score). */
  rerank<T extends RerankCandidate>(query: string, candidates: T[]): T[] {
    if (!this.active(candidates)) return candidates;
    const relevance = this.relevance(query, candidates);
    return candidates
      .map((candidate, i) => ({ candidate, fused: relevance[i] }))
      .sort((x, y) => y.fused - x.fused)
      .map(({ candidate }) => candidate);
  }

  /**
   * Each candidate's fused score in [0, 1], in the order given: the score `rerank` orders by,
   * relative to this candidate set. The vector score itself when there is nothing to rerank.
   */
  relevance(query: string, candidates: RerankCandidate[]): number[] {
    if (!this.active(candidates)) return candidates.map((candidate) => candidate.score);
    const { weight } = this.options;
    const lexical = minMax(this.bm25(query, candidates));
    const vector = minMax(candidates.map((candidate) => candidate.score));
    return candidates.map((_, i) => (1 - weight) * vector[i] + weight * lexical[i]);
  }

  private active(candidates: RerankCandidate[]): boolean {
    return this.options.weight > 0 && candidates.length >= 2;
  }

  private bm25(query: string, candidates: RerankCandidate[]): number[] {
    const { k1, b, titleBoost } = this.options;
    const queryTerms = [...new Set(terms(query).map(termHash))];
    const docs = candidates.map(({ text, metadata }) => {
      const body = this.stats.get(text);
      const title = typeof metadata?.title === 'string' ? this.stats.get(metadata.title) : null;
      const counts = queryTerms.map(
        (term) => body.count(term) + (title ? titleBoost * title.count(term) : 0),
      );
      return { counts, length: body.length };
    });
    const averageLength = docs.reduce((sum, doc) => sum + doc.length, 0) / docs.length || 1;
    // The +1 inside the log keeps IDF positive: a term every candidate has still counts a little.
    const idf = queryTerms.map((_, t) => {
      const df = docs.filter((doc) => doc.counts[t] > 0).length;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a term no candidate holds has tf 0 everywhere, so its IDF multiplies nothing
      return df > 0 ? Math.log(1 + (docs.length - df + 0.5) / (df + 0.5)) : 0;
    });
    return docs.map(({ counts, length }) => {
      const norm = k1 * (1 - b + (b * length) / averageLength);
      let score = 0;
      counts.forEach((tf, t) => {
        score += (idf[t] * tf * (k1 + 1)) / (tf + norm);
      });
      return score;
    });
  }
}
