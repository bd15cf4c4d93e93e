import { LexicalReranker } from './lexical-reranker';
import { ResultRanker } from './result-ranker';

const hit = (id: string, document: string, text: string, score: number) => ({
  id,
  text,
  metadata: { document_id: document },
  score,
});

describe('ResultRanker', () => {
  const reranker = new LexicalReranker();

  it('keeps the vector order and scores by similarity without a reranker', () => {
    const hits = [hit('a#0', 'a', 'x', 0.9), hit('a#1', 'a', 'y', 0.8), hit('b#0', 'b', 'z', 0.7)];
    const ranked = new ResultRanker(undefined, 2).rank('q', hits, 2);
    expect(ranked.map((r) => [r.id, r.relevance])).toEqual([
      ['a#0', 0.9],
      ['a#1', 0.8],
    ]);
  });

  it("reranks each document's best chunks only and ranks its further chunks after them", () => {
    const hits = [
      hit('long#0', 'long', 'gardens and flowers', 0.95),
      hit('long#1', 'long', 'more gardens', 0.94),
      hit('long#2', 'long', 'rotate signing keys every month', 0.93),
      hit('short#0', 'short', 'rotate the signing keys', 0.9),
      hit('other#0', 'other', 'weather report', 0.5),
    ];
    const ranked = new ResultRanker(reranker, 2).rank('rotate signing keys', hits, 5);
    expect(ranked.map((r) => r.id)).toEqual(['short#0', 'long#0', 'long#1', 'other#0', 'long#2']);
    const relevance = ranked.map((r) => r.relevance);
    expect(relevance).toEqual([...relevance].sort((a, b) => b - a));
    expect(ranked[4].relevance).toBe(0);
  });

  it('reranks every candidate when the cap is 0, and returns at most top_k', () => {
    const hits = [
      hit('long#0', 'long', 'gardens and flowers', 0.95),
      hit('long#1', 'long', 'more gardens', 0.94),
      hit('long#2', 'long', 'rotate signing keys every month', 0.93),
      hit('short#0', 'short', 'unrelated', 0.9),
    ];
    const ranked = new ResultRanker(reranker, 0).rank('rotate signing keys', hits, 1);
    expect(ranked.map((r) => r.id)).toEqual(['long#2']);
  });

  it('falls back to the chunk id when a chunk has no document id', () => {
    const bare = [
      { id: 'x', text: 'alpha', score: 0.9 },
      { id: 'y', text: 'beta', score: 0.8 },
    ];
    const ranked = new ResultRanker(reranker, 1).rank('beta', bare, 2);
    expect(ranked.map((r) => r.id)).toEqual(['y', 'x']);
  });
});
