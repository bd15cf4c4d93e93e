import { illFormedUnicodeAt } from './validation.pipe';

describe('illFormedUnicodeAt', () => {
  it('accepts well-formed text, surrogate pairs included', () => {
    expect(illFormedUnicodeAt({ a: ['x', '😀', { 'ké😀': 'ü' }], n: 1 }, '')).toBeUndefined();
  });

  it.each([
    [{ documents: [{ id: 'ls\ud800', text: 'x' }] }, { path: 'documents.0.id', key: false }],
    [
      { documents: [{ metadata: { ['k\udc00']: 1 } }] },
      { path: 'documents.0.metadata', key: true },
    ],
    [
      { filter: { $or: [{ a: { $in: ['\ud83d'] } }] } },
      { path: 'filter.$or.0.a.$in.0', key: false },
    ],
    ['q\ud800', { path: 'query', key: false }],
  ])('names the path of a lone surrogate in %j', (value, expected) => {
    expect(illFormedUnicodeAt(value, typeof value === 'string' ? 'query' : '')).toEqual(expected);
  });
});
