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
    [{ a: { $eq: null } }, 'filter.a.$eq'],
    [{ a: { $lt: Number.POSITIVE_INFINITY } }, 'filter.a.$lt'],
    [{ a: { $in: [1, Number.NaN] } }, 'filter.a.$in'],
    [{ $and: ['pdf'] }, 'filter.$and[0]'],
    [{ $or: [{ a: 1 }, {}] }, 'filter.$or[1]'],
  ])('rejects %j naming %s', (filter, field) => {
    expect(() => parseFilter(filter as Record<string, unknown>, limits)).toThrow(InvalidInputError);
    try {
      parseFilter(filter as Record<string, unknown>, limits);
    } catch (error) {
      expect((error as InvalidInputError).field).toBe(field);
    }
  });

  it.each([
    [{ 'bad key': 1 }, 'filter.bad key: is not a valid metadata field name'],
    [{ a: null }, 'filter.a: must be a string, number, boolean or one {$operator: value}'],
    [{ a: { $ne: [1] } }, 'filter.a.$ne: must be a string, number or boolean'],
    [{ a: { $gte: '2020' } }, 'filter.a.$gte: must be a finite number'],
    [{ a: { $nin: [] } }, 'filter.a.$nin: must be a list of 1 to 5 values'],
    [{ a: { $in: [1, 'x'] } }, 'filter.a.$in: must hold values of one type'],
    [{ a: { $regex: 'x' } }, 'filter.a.$regex: is not a supported operator ($eq, $ne'],
    [{ $not: [{ a: 1 }] }, 'filter.$not: is not a supported operator ($and, $or)'],
    [{ $or: [] }, 'filter.$or: must be a non-empty list of filters'],
    [{ $and: [[]] }, 'filter.$and[0]: must be a non-empty object'],
    [
      { $and: [{ $and: [{ $and: [{ $and: [{ a: 1 }] }] }] }] },
      'filter.$and[0].$and[0].$and[0].$and[0]: is nested deeper than 4 levels',
    ],
  ])('rejects %j saying what is wrong', (filter, message) => {
    expect(() => parseFilter(filter as Record<string, unknown>, limits)).toThrow(message);
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
    [' PDF ', 'pdf'],
    ['text/markdown ; charset=utf-8', 'md'],
    ['..pdf', 'pdf'],
    ['tar.gz', 'tar.gz'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeFileType(input)).toBe(expected);
  });

  it('lists each spelling once: bare, dotted, upper case, aliases and MIME types', () => {
    expect(fileTypeVariants('md')).toEqual([
      'md',
      '.md',
      'MD',
      '.MD',
      'markdown',
      'text/markdown',
      'text/x-markdown',
    ]);
    expect(fileTypeVariants('Plain')).toEqual([
      'Plain',
      'txt',
      '.txt',
      'TXT',
      '.TXT',
      'text',
      'plain',
      'text/plain',
    ]);
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

  it('widens conditions inside $or, and leaves other fields and non-string values alone', () => {
    const widened = fileTypeVariantsOf(
      parseFilter({ $or: [{ file_type: 'md' }, { author: 'md' }] }, limits),
      MAX_VALUES,
    ) as { $or: Record<string, unknown>[] };
    expect(widened.$or[0]).toEqual({
      $or: [
        { file_type: { $in: fileTypeVariants('md') } },
        { doctype: { $in: fileTypeVariants('md') } },
      ],
    });
    expect(widened.$or[1]).toEqual({ author: { $eq: 'md' } });
    expect(fileTypeVariantsOf(parseFilter({ file_type: 7 }, limits), MAX_VALUES)).toBeUndefined();
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
