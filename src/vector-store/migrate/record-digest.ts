import { createHash } from 'node:crypto';

/** One Chroma record as the migration reads and writes it. */
export interface ChromaRecord {
  id: string;
  embedding: number[];
  document: string | null;
  metadata: Record<string, unknown> | null;
}

/** JSON with object keys sorted, so equal content always serialises to the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Document and metadata as one text. Chroma never stores a null metadata value (writing one
 * deletes the key) and answers null for an empty metadata, so null, {} and null-valued keys
 * all mean "absent".
 */
const contentJson = ({ document, metadata }: ChromaRecord): string =>
  canonicalJson([
    document,
    Object.fromEntries(Object.entries(metadata ?? {}).filter(([, item]) => item !== null)),
  ]);

/**
 * Chroma stores float32 and answers the shortest decimal of each value, so the JSON number
 * parses to a double near, not at, the stored value; Math.fround (Float32Array) gives back the
 * stored value exactly. Compared as float32, equal data is equal bit for bit.
 */
const asFloat32 = (embedding: number[]): Float32Array => Float32Array.from(embedding);

const bytesOf = (vector: Float32Array): Buffer =>
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** Content fingerprint of a record: document, metadata, and the embedding's float32 bits. */
export function recordDigest(record: ChromaRecord): string {
  return createHash('sha256')
    .update(contentJson(record))
    .update('\0')
    .update(bytesOf(asFloat32(record.embedding)))
    .digest('hex');
}

const ulpScratch = new Float32Array(2);
const ulpBits = new Uint32Array(ulpScratch.buffer);

/** The gap between |value| (as float32) and the next larger float32. */
export function float32Ulp(value: number): number {
  ulpScratch[0] = Math.abs(value);
  ulpBits[1] = ulpBits[0] + 1;
  return ulpScratch[1] - ulpScratch[0];
}

/**
 * Whether `copy` is `original` times one positive factor, each component rounded to float32.
 * A factor is estimated by least squares; a component may then be off by its own rounding
 * (half an ulp) plus the estimate's error (at most about an ulp): two ulps bound both, while a
 * component changed by anything more is caught.
 */
function sameDirection(original: Float32Array, copy: Float32Array): boolean {
  let dot = 0;
  let squares = 0;
  for (let i = 0; i < original.length; i++) {
    dot += original[i] * copy[i];
    squares += original[i] * original[i];
  }
  const factor = dot / squares;
  if (!(factor > 0)) return false;
  // Stryker disable next-line EqualityOperator: one step past the end compares NaN, which rejects nothing
  for (let i = 0; i < original.length; i++) {
    const expected = factor * original[i];
    const bound = 2 * float32Ulp(Math.max(Math.abs(copy[i]), Math.abs(expected)));
    if (Math.abs(copy[i] - expected) > bound) return false;
  }
  return true;
}

/**
 * Whether the target's record holds the source's content. Documents and metadata must match
 * exactly; embeddings bit for bit as float32. In a cosine collection Chroma rescales every
 * vector it stores to unit length, computed in float32, so a copy of an already unit vector may
 * come back an ulp apart, differently on each write: there only the direction counts, which is
 * all a cosine distance reads.
 */
export function sameRecord(
  source: ChromaRecord,
  target: ChromaRecord,
  options: { cosine: boolean },
): boolean {
  if (contentJson(source) !== contentJson(target)) return false;
  const original = asFloat32(source.embedding);
  const copy = asFloat32(target.embedding);
  if (original.length !== copy.length) return false;
  if (bytesOf(original).equals(bytesOf(copy))) return true;
  return options.cosine && sameDirection(original, copy);
}

/**
 * Order-independent checksum of a collection in constant memory: the sum, modulo 2^256, of one
 * sha256 per record over its id and digest.
 */
export class CollectionChecksum {
  private sum = 0n;
  private records = 0;

  add(id: string, digest: string): void {
    const hash = createHash('sha256').update(`${id}\0${digest}`).digest('hex');
    this.sum = (this.sum + BigInt(`0x${hash}`)) & ((1n << 256n) - 1n);
    this.records++;
  }

  get count(): number {
    return this.records;
  }

  hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}
