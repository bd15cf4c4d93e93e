import { createHash } from 'node:crypto';

/** One Chroma record as the migration reads and writes it. */
export interface ChromaRecord {
  id: string;
  embedding: number[];
  document: string | null;
  metadata: Record<string, unknown> | null;
}

/**
 * Embeddings are stored as float32, so a value may come back as a slightly different double;
 * six decimals is far below what changes a cosine score and far above float32 noise.
 */
const EMBEDDING_DECIMALS = 1e6;

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

/** Content fingerprint of a record: document, metadata and rounded embedding. */
export function recordDigest(record: ChromaRecord): string {
  const embedding = record.embedding.map((value) => Math.round(value * EMBEDDING_DECIMALS));
  return createHash('sha256')
    .update(canonicalJson([record.document, record.metadata ?? {}, embedding]))
    .digest('hex');
}

/** Order-independent checksum of a collection: sha256 over its ids and record digests, by id. */
export class CollectionChecksum {
  private readonly digests = new Map<string, string>();

  add(id: string, digest: string): void {
    this.digests.set(id, digest);
  }

  get count(): number {
    return this.digests.size;
  }

  get(id: string): string | undefined {
    return this.digests.get(id);
  }

  /** Ids whose digest differs from `other` or that only one side has, sorted. */
  differences(other: CollectionChecksum): string[] {
    const ids = new Set([...this.digests.keys(), ...other.digests.keys()]);
    return [...ids].filter((id) => this.digests.get(id) !== other.digests.get(id)).sort();
  }

  hex(): string {
    const hash = createHash('sha256');
    for (const id of [...this.digests.keys()].sort()) {
      hash.update(`${id}\0${this.digests.get(id)}\n`);
    }
    return hash.digest('hex');
  }
}
