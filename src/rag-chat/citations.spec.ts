import { CitationFilter } from './citations';

describe('CitationFilter', () => {
  it('keeps citations of existing sources and drops the others', () => {
    expect(CitationFilter.clean('A [1]. B [3]. C [0][2]. D [1, 5, 2].', 2)).toBe(
      'A [1]. B . C [2]. D [1][2].',
    );
  });

  it('leaves brackets that are not citations alone', () => {
    expect(CitationFilter.clean('array[i] and [see below] and [', 1)).toBe(
      'array[i] and [see below] and [',
    );
  });

  it('handles citations split across streamed pieces', () => {
    const filter = new CitationFilter(2);
    const out = ['Day one [', '1', '] and [1', '2]. Also [2', ', 9] done [']
      .map((piece) => filter.push(piece))
      .join('');
    expect(out + filter.flush()).toBe('Day one [1] and . Also [2] done [');
  });

  it('starts afresh after a flush', () => {
    const filter = new CitationFilter(2);
    expect(filter.push('see [')).toBe('see ');
    expect(filter.flush()).toBe('[');
    expect(filter.push('next')).toBe('next');
    expect(filter.flush()).toBe('');
  });
});
