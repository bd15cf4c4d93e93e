import fc from 'fast-check';
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

describe('LexicalReranker fusion', () => {
  it('normalises both scores to [0, 1]: the weight decides between a vector and a lexical winner', () => {
    const candidates = [hit('unrelated words', 0.9), hit('needle', 0.1)];
    const ranked = (weight: number) =>
      new LexicalReranker({ weight, k1: 1.2, b: 0.3, titleBoost: 2 }).rerank('needle', candidates);
    expect(ranked(0.45)[0]).toBe(candidates[0]);
    expect(ranked(0.55)[0]).toBe(candidates[1]);
  });

  it('gives the fused score rerank orders by, in the order given', () => {
    const candidates = [hit('unrelated words', 0.9), hit('needle', 0.5), hit('other', 0.1)];
    // Vector 1, 0.5, 0; lexical 0, 1, 0; weight 0.6.
    expect(new LexicalReranker().relevance('needle', candidates)).toEqual([0.4, 0.2 + 0.6, 0]);
  });

  it('scores by the vector score when there is nothing to rerank', () => {
    const off = new LexicalReranker({ weight: 0, k1: 1.2, b: 0.3, titleBoost: 2 });
    expect(off.relevance('needle', [hit('needle', 0.4), hit('x', 0.3)])).toEqual([0.4, 0.3]);
    expect(new LexicalReranker().relevance('needle', [hit('needle', 0.4)])).toEqual([0.4]);
  });

  it('returns a single candidate as given', () => {
    const one = [hit('needle', 0.4)];
    expect(new LexicalReranker().rerank('needle', one)).toBe(one);
  });
});

/** Okapi BM25 with IDF ln(1 + (N - df + 0.5) / (df + 0.5)), written out as the reference. */
function bm25(query: string[], docs: string[][], k1: number, b: number): number[] {
  const terms = [...new Set(query)];
  const averageLength = docs.reduce((sum, doc) => sum + doc.length, 0) / docs.length || 1;
  const idf = terms.map((term) => {
    const df = docs.filter((doc) => doc.includes(term)).length;
    return df > 0 ? Math.log(1 + (docs.length - df + 0.5) / (df + 0.5)) : 0;
  });
  return docs.map((doc) =>
    terms.reduce((score, term, t) => {
      const tf = doc.filter((word) => word === term).length;
      const norm = k1 * (1 - b + (b * doc.length) / averageLength);
      return score + (idf[t] * tf * (k1 + 1)) / (tf + norm);
    }, 0),
  );
}

describe('LexicalReranker BM25', () => {
  // Words the tokenizer and stemmer keep as they are.
  const word = fc.constantFrom('alpha', 'gamma', 'omega', 'zeta', 'kappa');
  it('orders candidates of equal vector score by BM25', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(word, { minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 6 }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (query, docs, k1, b) => {
          const candidates = docs.map((doc) => hit(doc.join(' '), 0.5));
          const reference = bm25(query, docs, k1, b);
          const ranked = new LexicalReranker({ weight: 0.6, k1, b, titleBoost: 2 }).rerank(
            query.join(' '),
            candidates,
          );
          const scores = ranked.map((candidate) => reference[candidates.indexOf(candidate)]);
          scores.slice(1).forEach((score, i) => {
            expect(score).toBeLessThanOrEqual(scores[i] + 1e-9);
          });
        },
      ),
      { numRuns: 300 },
    );
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
