import type { LexicalReranker, RerankCandidate } from './lexical-reranker';

export interface RankableHit extends RerankCandidate {
  id: string;
}

export type RankedHit<T> = T & {
  /** What the results are ordered by: the rerank's fused score, else the vector score. */
  relevance: number;
};

/**
 * Orders a query's vector candidates into its results. With a reranker, only each document's
 * first `chunksPerDocument` candidates (by vector score) are reranked: a long document's further
 * chunks rarely change which documents come first, and skipping them cuts the rerank's work by
 * about a third (bench/retrieval/RESULTS.md). Skipped chunks still fill the results, after every
 * reranked one, so a query never returns fewer results than before.
 */
export class ResultRanker {
  constructor(
    /** Undefined: results keep the vector order (RERANK_CANDIDATES=0). */
    private readonly reranker: LexicalReranker | undefined,
    /** 0: every candidate is reranked. */
    private readonly chunksPerDocument: number,
  ) {}

  rank<T extends RankableHit>(query: string, hits: T[], topK: number): RankedHit<T>[] {
    if (!this.reranker) {
      return hits.slice(0, topK).map((hit) => ({ ...hit, relevance: hit.score }));
    }
    const { reranked, rest } = this.split(hits);
    const relevance = this.reranker.relevance(query, reranked);
    const ranked = reranked
      .map((hit, i) => ({ ...hit, relevance: relevance[i] }))
      .sort((x, y) => y.relevance - x.relevance);
    const floor = Math.min(0, ...relevance);
    return [...ranked, ...rest.map((hit) => ({ ...hit, relevance: floor }))].slice(0, topK);
  }

  /** Candidates arrive best first by vector score; the order within each part is kept. */
  private split<T extends RankableHit>(hits: T[]): { reranked: T[]; rest: T[] } {
    if (this.chunksPerDocument <= 0) return { reranked: hits, rest: [] };
    const seen = new Map<string, number>();
    const reranked: T[] = [];
    const rest: T[] = [];
    for (const hit of hits) {
      const stored = hit.metadata?.document_id;
      const document = typeof stored === 'string' ? stored : hit.id;
      const count = (seen.get(document) ?? 0) + 1;
      seen.set(document, count);
      (count <= this.chunksPerDocument ? reranked : rest).push(hit);
    }
    return { reranked, rest };
  }
}
