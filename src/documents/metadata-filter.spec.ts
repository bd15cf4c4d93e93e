import { InvalidInputError } from '../common/domain-errors';
import { fileTypeVariantsOf, filterValueCount, parseFilter } from './metadata-filter';
import { fileTypeVariants, normalizeFileType } from './file-type';

const limits = { maxDepth: 4, maxConditions: 8, maxListLength: 5, maxValues: 40 };
const MAX_VALUES = limits.maxValues;

describe('parseFilter', () => {
  it('treats a missing or empty filter as no filter', () => {
    expect(parseFilter(undefined, limits)).toBeUndefined();
    expect(parseFilter({}, limits)).toBeUndefined();
  });

  it('turns shorthand equality into $eq and joins several fields with $and', () => {
    expect(parseFilter({ file_type: 'pdf', year: { $gte: 2020 } }, limits)).toEqual({
      $and: [{ file_type: { $eq: 'pdf' } }, { year: { $gte: 2020 } }],
    });
  });

  it('keeps logical operators and unwraps a single operand', () => {
    expect(parseFilter({ $or: [{ a: 1 }, { b: { $in: ['x', 'y'] } }] }, limits)).toEqual({
      $or: [{ a: { $eq: 1 } }, { b: { $in: ['x', 'y'] } }],
    });
    expect(parseFilter({ $and: [{ a: true }] }, limits)).toEqual({ a: { $eq: true } });
  });

  it.each([
    [{ a: { $regex: 'x' } }, 'filter.a.$regex'],
    [{ $not: [{ a: 1 }] }, 'filter.$not'],
    [{ a: { $gt: 'x' } }, 'filter.a.$gt'],
    [{ a: { $in: [] } }, 'filter.a.$in'],
    [{ a: { $in: [1, 'x'] } }, 'filter.a.$in'],
    [{ a: { $in: [1, 2, 3, 4, 5, 6] } }, 'filter.a.$in'],
    [{ a: null }, 'filter.a'],
    [{ a: { $eq: 1, $ne: 2 } }, 'filter.a'],
    [{ a: [1] }, 'filter.a'],
    [{ 'bad key': 1 }, 'filter.bad key'],
    [JSON.parse('{"__proto__": 1}'), 'filter.__proto__'],
    [{ $and: [] }, 'filter.$and'],
    [
      { $and: [{ $and: [{ $and: [{ $and: [{ a: 1 }] }] }] }] },
      'filter.$and[0].$and[0].$and[0].$and[0]',
    ],
    [{ a: Number.NaN }, 'filter.a'],
  ])('rejects %j naming %s', (filter, field) => {
    expect(() => parseFilter(filter as Record<string, unknown>, limits)).toThrow(InvalidInputError);
    try {
      parseFilter(filter as Record<string, unknown>, limits);
    } catch (error) {
      expect((error as InvalidInputError).field).toBe(field);
    }
  });

  it('caps the number of conditions', () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    expect(() => parseFilter(many, limits)).toThrow(/more than 8 conditions/);
  });

  it('caps the values of the whole filter, lists counted by length', () => {
    const list = ['a', 'b', 'c', 'd', 'e'];
    const within = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`k${i}`, { $in: list }]),
    );
    expect(filterValueCount(parseFilter(within, limits)!)).toBe(40);
    const beyond = { ...within, k8: 'one more' };
    expect(() => parseFilter(beyond, { ...limits, maxConditions: 10 })).toThrow(
      /filter: holds more than 40 values in all \(FILTER_MAX_VALUES\)/,
    );
  });
});

describe('file types', () => {
  it.each([
    ['PDF', 'pdf'],
    ['.pdf', 'pdf'],
    ['application/pdf', 'pdf'],
    ['text/markdown; charset=utf-8', 'md'],
    ['Markdown', 'md'],
    ['htm', 'html'],
    ['docx', 'docx'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeFileType(input)).toBe(expected);
  });

  it('lists every spelling of a type', () => {
    expect(fileTypeVariants('application/pdf')).toEqual(
      expect.arrayContaining(['pdf', '.pdf', 'PDF', 'application/pdf']),
    );
  });
});

describe('fileTypeVariantsOf', () => {
  it('widens file_type and doctype conditions to both keys and every spelling', () => {
    const where = parseFilter({ doctype: 'PDF', year: 2024 }, limits);
    const widened = fileTypeVariantsOf(where, MAX_VALUES) as { $and: Record<string, unknown>[] };
    expect(widened.$and[1]).toEqual({ year: { $eq: 2024 } });
    const alternatives = (widened.$and[0] as { $or: Record<string, { $in: string[] }>[] }).$or;
    expect(alternatives.map((alt) => Object.keys(alt)[0])).toEqual(['file_type', 'doctype']);
    expect(alternatives[0].file_type.$in).toEqual(
      expect.arrayContaining(['pdf', '.pdf', 'application/pdf']),
    );
  });

  it('returns undefined when there is nothing to widen', () => {
    expect(fileTypeVariantsOf(parseFilter({ year: 2024 }, limits), MAX_VALUES)).toBeUndefined();
    expect(fileTypeVariantsOf(undefined, MAX_VALUES)).toBeUndefined();
    expect(
      fileTypeVariantsOf(parseFilter({ file_type: { $ne: 'pdf' } }, limits), MAX_VALUES),
    ).toBeUndefined();
  });

  it('skips the tier when the expansion would exceed maxValues, and never returns more', () => {
    const where = parseFilter({ file_type: { $in: ['pdf', 'md', 'html', 'docx', 'txt'] } }, limits);
    const widened = fileTypeVariantsOf(where, 1000)!;
    const expanded = filterValueCount(widened);
    expect(expanded).toBeGreaterThan(5);
    expect(fileTypeVariantsOf(where, expanded)).toEqual(widened);
    expect(fileTypeVariantsOf(where, expanded - 1)).toBeUndefined();
  });
});
