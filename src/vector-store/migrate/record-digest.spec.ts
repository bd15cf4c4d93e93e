import fc from 'fast-check';
import {
  canonicalJson,
  CollectionChecksum,
  float32Ulp,
  recordDigest,
  sameRecord,
  type ChromaRecord,
} from './record-digest';

/** The text Chroma answers for a stored float32: the shortest decimal that reads back as it. */
const chromaJsonText = (value: number): string => {
  const stored = Math.fround(value);
  for (let digits = 1; ; digits++) {
    const text = stored.toPrecision(digits);
    if (Math.fround(Number(text)) === stored) return text;
  }
};

const record = (embedding: number[], overrides: Partial<ChromaRecord> = {}): ChromaRecord => ({
  id: 'a',
  embedding,
  document: 'text',
  metadata: { source: 'kb/a', chunk: 0 },
  ...overrides,
});

/** Deterministic unit vector of realistic size, as the default embedder's are. */
const unitVector = (dimensions: number): number[] => {
  const raw = Array.from({ length: dimensions }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const norm = Math.hypot(...raw);
  return raw.map((value) => value / norm);
};

/** What a server stores for `vector` after rescaling it by `factor` in float32. */
const rescaled = (vector: number[], factor: number): number[] =>
  vector.map((value) => Math.fround(Math.fround(value) * Math.fround(factor)));

describe('recordDigest', () => {
  it('is equal across the float32 round trip even where six decimals round apart', () => {
    // The embedder's double, just below a six-decimal rounding boundary…
    const computed = 0.0600795 - 1e-12;
    // …comes back from Chroma as the float32's shortest decimal, just on it.
    const returned = Number(chromaJsonText(computed));
    expect(returned).toBe(0.0600795);
    expect(Math.round(computed * 1e6)).not.toBe(Math.round(returned * 1e6));
    expect(Math.fround(computed)).toBe(Math.fround(returned));

    expect(recordDigest(record([0.5, computed, -0.25]))).toBe(
      recordDigest(record([0.5, returned, -0.25])),
    );
  });

  it('is equal for every component of a realistic vector after the JSON round trip', () => {
    const vector = unitVector(1124);
    const roundTripped = vector.map((value) => Number(chromaJsonText(value)));
    expect(roundTripped).not.toEqual(vector);
    expect(recordDigest(record(roundTripped))).toBe(recordDigest(record(vector)));
  });

  it('changes when one component moves to the neighbouring float32', () => {
    const vector = unitVector(16);
    const changed = [...vector];
    changed[5] = Math.fround(vector[5]) + float32Ulp(vector[5]);
    expect(recordDigest(record(changed))).not.toBe(recordDigest(record(vector)));
  });

  it('reads metadata key order, null metadata and null-valued keys as the same content', () => {
    const vector = [0.1, 0.2];
    const base = recordDigest(record(vector, { metadata: { a: 1, b: 'x' } }));
    expect(recordDigest(record(vector, { metadata: { b: 'x', a: 1 } }))).toBe(base);
    expect(recordDigest(record(vector, { metadata: { b: 'x', a: 1, gone: null } }))).toBe(base);
    expect(recordDigest(record(vector, { metadata: null }))).toBe(
      recordDigest(record(vector, { metadata: {} })),
    );
    expect(recordDigest(record(vector, { metadata: { a: 2, b: 'x' } }))).not.toBe(base);
    expect(recordDigest(record(vector, { metadata: { a: '1', b: 'x' } }))).not.toBe(base);
  });

  it('tells a null document from an empty or different one', () => {
    const digests = [null, '', 'text', 'text '].map((document) =>
      recordDigest(record([0.1], { document })),
    );
    expect(new Set(digests).size).toBe(4);
  });
});

describe('sameRecord', () => {
  const vector = unitVector(1124);
  const source = record(vector);

  it('accepts the float32 round trip bit for bit in every space', () => {
    const copy = record(vector.map((value) => Number(chromaJsonText(value))));
    expect(sameRecord(source, copy, { cosine: false })).toBe(true);
    expect(sameRecord(source, copy, { cosine: true })).toBe(true);
  });

  it('in a cosine collection accepts the rescaling Chroma applies on every write', () => {
    for (const factor of [1 + 2 ** -23, 1 - 2 ** -24, 1 + 3e-7, 0.5]) {
      const copy = record(rescaled(vector, factor));
      expect(recordDigest(copy)).not.toBe(recordDigest(source));
      expect(sameRecord(source, copy, { cosine: true })).toBe(true);
      expect(sameRecord(source, copy, { cosine: false })).toBe(false);
    }
  });

  it('catches one component changed by more than float32 rounding, in any space', () => {
    const largest = vector.reduce(
      (best, value, i) => (Math.abs(value) > Math.abs(vector[best]) ? i : best),
      0,
    );
    for (const index of [0, largest, 700]) {
      for (const change of [1e-3, 1e-5, 4 * float32Ulp(vector[index])]) {
        const tampered = rescaled(vector, 1 + 2 ** -23);
        tampered[index] += change;
        expect(sameRecord(source, record(tampered), { cosine: true })).toBe(false);
      }
    }
  });

  it('catches a changed sign, a zeroed component and another dimension', () => {
    const flipped = [...vector];
    flipped[3] = -flipped[3];
    const zeroed = [...vector];
    zeroed[3] = 0;
    const longer = [...vector, 0];
    const nothing = vector.map(() => 0);
    for (const embedding of [
      flipped,
      zeroed,
      vector.slice(1),
      longer,
      nothing,
      vector.map((v) => -v),
    ]) {
      expect(sameRecord(source, record(embedding), { cosine: true })).toBe(false);
    }
  });

  it('in a cosine collection accepts a rescaled vector that was not of unit length', () => {
    const long = [3, -6, 1.5, 12];
    expect(sameRecord(record(long), record(long.map((v) => v / 4)), { cosine: true })).toBe(true);
    expect(sameRecord(record(long), record(long.map((v) => v / 4)), { cosine: false })).toBe(false);
  });

  it('compares documents and metadata exactly', () => {
    expect(sameRecord(source, { ...source, document: 'tampered' }, { cosine: true })).toBe(false);
    expect(sameRecord(source, { ...source, metadata: { source: 'kb/a' } }, { cosine: true })).toBe(
      false,
    );
    expect(
      sameRecord(source, { ...source, metadata: { chunk: 0, source: 'kb/a' } }, { cosine: true }),
    ).toBe(true);
  });
});

describe('float32Ulp', () => {
  it('is the gap to the next float32', () => {
    expect(float32Ulp(1)).toBe(2 ** -23);
    expect(float32Ulp(-1)).toBe(2 ** -23);
    expect(float32Ulp(0.75)).toBe(2 ** -24);
    expect(float32Ulp(0)).toBe(2 ** -149);
  });
});

describe('CollectionChecksum', () => {
  it('does not depend on the order records arrive in', () => {
    const forward = new CollectionChecksum();
    const backward = new CollectionChecksum();
    const entries = [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ];
    entries.forEach(([id, digest]) => forward.add(id, digest));
    [...entries].reverse().forEach(([id, digest]) => backward.add(id, digest));
    expect(forward.hex()).toBe(backward.hex());
    expect(forward.hex()).toMatch(/^[0-9a-f]{64}$/);
    expect(forward.count).toBe(3);
    expect(new CollectionChecksum().hex()).toBe('0'.repeat(64));
  });

  it('changes with any id or digest', () => {
    const sum = (entries: string[][]) => {
      const checksum = new CollectionChecksum();
      entries.forEach(([id, digest]) => checksum.add(id, digest));
      return checksum.hex();
    };
    const base = sum([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(
      sum([
        ['a', '1'],
        ['b', '3'],
      ]),
    ).not.toBe(base);
    expect(
      sum([
        ['a', '1'],
        ['c', '2'],
      ]),
    ).not.toBe(base);
    expect(sum([['a', '1']])).not.toBe(base);
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });

  it('writes the same JSON for the same content, whatever the key order, minus undefined keys', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
        expect(JSON.parse(canonicalJson(object))).toEqual(JSON.parse(JSON.stringify(object)));
      }),
    );
    expect(canonicalJson({ e: 1, c: [1, 'x'], a: undefined, d: 2, b: 3 })).toBe(
      '{"b":3,"c":[1,"x"],"d":2,"e":1}',
    );
  });
});
