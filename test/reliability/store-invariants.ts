import type { StoredRecord, VectorStore } from '../../src/vector-store/vector-store.port';

const PAGE = 500;

/** Every record of a collection, paged in the store's own order. */
export async function allRecords(store: VectorStore, collection: string): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.getPage(collection, offset, PAGE);
    records.push(...page);
    if (page.length < PAGE) return records;
  }
}

/**
 * Groups chunks by document and lists every document that is not whole: chunk ids must be
 * exactly `<doc>#0..n-1` with `chunk_count` n and one `content_hash` across them.
 */
export function documentsOf(records: StoredRecord[]): {
  complete: Map<string, { chunks: number; hash: string }>;
  broken: string[];
} {
  const byDocument = new Map<string, StoredRecord[]>();
  for (const record of records) {
    const id = String(record.metadata.document_id);
    byDocument.set(id, [...(byDocument.get(id) ?? []), record]);
  }
  const complete = new Map<string, { chunks: number; hash: string }>();
  const broken: string[] = [];
  for (const [id, chunks] of byDocument) {
    const expected = Array.from({ length: chunks.length }, (_, n) => `${id}#${n}`).sort();
    const whole =
      JSON.stringify(chunks.map((c) => c.id).sort()) === JSON.stringify(expected) &&
      chunks.every((c) => c.metadata.chunk_count === chunks.length) &&
      new Set(chunks.map((c) => c.metadata.content_hash)).size === 1;
    if (whole)
      complete.set(id, { chunks: chunks.length, hash: String(chunks[0].metadata.content_hash) });
    else broken.push(`${id}: ${chunks.map((c) => `${c.id}/${c.metadata.chunk_count}`).join(',')}`);
  }
  return { complete, broken };
}
