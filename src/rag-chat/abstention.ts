import { contentTerms, coverage } from './content-terms';

/**
 * When the collection cannot answer: calibrated on labelled questions by
 * `npm run bench:abstention` (bench/chat/ABSTENTION.md).
 */
export interface AbstentionRule {
  /** Chunks scoring below this are not used at all. */
  minScore: number;
  /** Share of the question's content words that the best-covering kept chunk must contain. */
  minCoverage: number;
}

/**
 * Query results as chat weighs them: a query's `score` ranks within its own candidates, so chat
 * reads (and its sources show) the cosine, `similarity`, as their score.
 */
export const scoredBySimilarity = <T extends { similarity: number }>(
  results: T[],
): (T & { score: number })[] => results.map((result) => ({ ...result, score: result.similarity }));

/**
 * The retrieved chunks an answer may use, best first: those scoring at least `minScore`, or
 * none (the caller answers "I don't know") when no kept chunk holds `minCoverage` of the
 * question's content words. Scores alone cannot tell a near match from an off-topic question.
 */
export function answerableChunks<T extends { text: string; score: number }>(
  question: string,
  results: T[],
  rule: AbstentionRule,
): T[] {
  const kept = results.filter((result) => result.score >= rule.minScore);
  if (rule.minCoverage <= 0) return kept;
  const wanted = contentTerms(question);
  const covered = kept.some(
    (result) => coverage(wanted, contentTerms(result.text)) >= rule.minCoverage,
  );
  return covered ? kept : [];
}
