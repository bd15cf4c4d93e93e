import { TermStats, TermStatsCache, termHash, terms } from './term-stats';

describe('TermStats', () => {
  it('counts every term of the text, compounds included', () => {
    const stats = TermStats.of('Caching cached caches: use lru-cache');
    expect(stats.length).toBe(terms('Caching cached caches: use lru-cache').length);
    expect(stats.count(termHash('cach'))).toBe(4);
    expect(stats.count(termHash('lru-cache'))).toBe(1);
    expect(stats.count(termHash('absent'))).toBe(0);
  });
});

describe('TermStatsCache', () => {
  it('serves a text it has seen from the cache and evicts the least recently used', () => {
    const cache = new TermStatsCache(2);
    const first = cache.get('alpha beta');
    expect(cache.get('alpha beta')).toBe(first);
    cache.get('gamma');
    cache.get('alpha beta'); // now the most recent
    cache.get('delta'); // evicts gamma
    expect(cache.size).toBe(2);
    expect(cache.get('alpha beta')).toBe(first);
    const gamma = cache.get('gamma');
    expect(cache.get('gamma')).toBe(gamma);
  });

  it('keeps nothing with 0 entries', () => {
    const cache = new TermStatsCache(0);
    expect(cache.get('alpha')).not.toBe(cache.get('alpha'));
    expect(cache.size).toBe(0);
  });
});
