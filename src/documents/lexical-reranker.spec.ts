import { LexicalReranker } from './lexical-reranker';

const hit = (text: string, score: number, title?: string) => ({
  text,
  score,
  metadata: title === undefined ? {} : { title },
});

describe('LexicalReranker', () => {
  const reranker = new LexicalReranker();

  it('lifts a candidate that contains the rare query terms above closer vectors', () => {
    const candidates = [
      hit('a general guide to reading files and folders', 0.9),
      hit('another general guide to files', 0.85),
      hit('parse and format telephone numbers for every country', 0.6),
    ];
    const ranked = reranker.rerank('format telephone numbers', candidates);
    expect(ranked[0]).toBe(candidates[2]);
  });

  it('matches inflections through the light stemmer', () => {
    const candidates = [hit('unrelated words here', 0.8), hit('caching cached caches', 0.7)];
    expect(reranker.rerank('cache', candidates)[0]).toBe(candidates[1]);
  });

  it('counts title terms', () => {
    const candidates = [hit('some text', 0.8, 'Other'), hit('some text', 0.79, 'Scheduler')];
    expect(reranker.rerank('scheduler', candidates)[0]).toBe(candidates[1]);
  });

  it('keeps the vector order when no query term matches, and returns items unchanged', () => {
    const candidates = [hit('alpha', 0.9), hit('beta', 0.8), hit('gamma', 0.7)];
    const ranked = reranker.rerank('delta', candidates);
    expect(ranked).toEqual(candidates);
    expect(ranked[0].score).toBe(0.9);
  });

  it('is a no-op with weight 0 or fewer than two candidates', () => {
    const candidates = [hit('alpha', 0.5), hit('needle', 0.4)];
    const off = new LexicalReranker({ weight: 0, k1: 1.2, b: 0.3, titleBoost: 2 });
    expect(off.rerank('needle', candidates)).toBe(candidates);
    expect(reranker.rerank('needle', [])).toEqual([]);
  });
});

describe('LexicalReranker with a term cache', () => {
  it('ranks exactly as without one, on first and repeated calls', () => {
    const candidates = [
      hit('a general guide to reading files and folders', 0.9, 'Guide'),
      hit('parse and format telephone numbers for every country', 0.6, 'Phone numbers'),
      hit('format dates and numbers', 0.7, 'Dates'),
    ];
    const cached = new LexicalReranker(undefined, 100);
    const plain = new LexicalReranker();
    for (const query of ['format telephone numbers', 'guide to files', 'dates']) {
      const expected = plain.rerank(query, candidates);
      expect(cached.rerank(query, candidates)).toEqual(expected);
      expect(cached.rerank(query, candidates)).toEqual(expected);
    }
  });
});
