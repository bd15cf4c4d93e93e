import { addHashed, compounds, fnv1a, lightStem, tokenize } from './text-features';

describe('text features', () => {
  it('splits camelCase, acronyms, snake_case, dots and punctuation', () => {
    expect(tokenize('getHTTPServer.listen_now(port) — fs.readFile!')).toEqual([
      'get',
      'http',
      'server',
      'listen',
      'now',
      'port',
      'fs',
      'read',
      'file',
    ]);
  });

  it('keeps non-ASCII letters and digits', () => {
    expect(tokenize('Café utf8 ES2022')).toEqual(['café', 'utf8', 'es2022']);
  });

  it('keeps whole compound identifiers for exact matches', () => {
    expect(compounds('use lru-cache and fs.readFile or @nestjs/core, not plain')).toEqual([
      'lru-cache',
      'fs.readfile',
      'nestjs/core',
    ]);
  });

  it('cuts ASCII text as the Unicode patterns would', () => {
    const ascii = 'parseJSONBody uses lru-cache@7 and fs.readFile_sync, v1.2.3 ES2022';
    // One non-ASCII character sends the same words through the Unicode patterns.
    const unicode = `${ascii} é`;
    expect(tokenize(unicode)).toEqual([...tokenize(ascii), 'é']);
    expect(compounds(unicode)).toEqual(compounds(ascii));
    expect(compounds(ascii)).toEqual(['lru-cache@7', 'fs.readfile_sync', 'v1.2.3']);
  });

  it('conflates inflections with a light stemmer', () => {
    const stems = ['cache', 'caches', 'cached', 'caching'].map(lightStem);
    expect(new Set(stems).size).toBe(1);
    expect(lightStem('library')).toBe(lightStem('libraries'));
    expect(lightStem('class')).toBe('class');
    expect(lightStem('is')).toBe('is');
    expect(lightStem('cats')).toBe('cat');
    expect(lightStem('status')).toBe('status');
    expect(lightStem('glass')).toBe('glass');
    expect(lightStem('ace')).toBe('ace');
  });

  it('finds no tokens or compounds in text without letters or digits', () => {
    expect(tokenize('... --- !!!')).toEqual([]);
    expect(compounds('plain words only')).toEqual([]);
  });

  it('hashes stably (FNV-1a) and spreads signed weights into buckets', () => {
    expect(fnv1a('a')).toBe(0xe40c292c);
    const target = new Float64Array(16);
    addHashed(target, 'token', 2);
    addHashed(target, 'token', 2);
    expect(target.filter((v) => v !== 0)).toHaveLength(1);
    expect(Math.abs(target.reduce((a, b) => a + b, 0))).toBe(4);
  });

  it('signs a weight by bit 31 of the hash, so stored vectors stay comparable across versions', () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'zeta'];
    const negative = words.find((word) => fnv1a(word) >= 0x80000000)!;
    const positive = words.find((word) => fnv1a(word) < 0x80000000)!;
    const single = new Float64Array(1);
    addHashed(single, negative, 3);
    expect(single[0]).toBe(-3);
    // Collisions of opposite signs cancel out.
    addHashed(single, positive, 3);
    expect(single[0]).toBe(0);
  });
});
