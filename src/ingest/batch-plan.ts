import type { PartedText } from './extract';
import type { StoredBatch, StoredDocument } from './ingest-job';

/** A file's documents, its texts' part counts, and its page count when it is a PDF. */
export interface PlannedFile {
  documents: StoredDocument[];
  /** Uploaded files only: JSON documents are never split, so they have no stale parts. */
  parted?: PartedText[];
  pdf?: { id: string; pages: number };
}

export interface BatchLimits {
  /** Chunks per batch; a single larger document still gets a batch of its own. */
  maxChunks: number;
  /** Documents per batch (DocumentsService's MAX_DOCUMENTS_PER_REQUEST). */
  maxDocuments: number;
}

/**
 * Groups documents into upsert-sized batches in file order, counting chunks as the service
 * will cut them, so progress can be reported in chunks before any is written.
 */
export function planBatches(
  files: PlannedFile[],
  countChunks: (text: string) => number,
  { maxChunks, maxDocuments }: BatchLimits,
): { batches: StoredBatch[]; documents: number; chunks: number } {
  const batches: StoredBatch[] = [];
  let current: Required<StoredBatch> = { documents: [], pdfs: [], parted: [] };
  let currentChunks = 0;
  let documents = 0;
  let chunks = 0;
  for (const file of files) {
    for (const doc of file.documents) {
      const n = countChunks(doc.text);
      const full =
        current.documents.length >= maxDocuments ||
        (current.documents.length > 0 && currentChunks + n > maxChunks);
      if (full) {
        batches.push(current);
        current = { documents: [], pdfs: [], parted: [] };
        currentChunks = 0;
      }
      current.documents.push(doc);
      currentChunks += n;
      documents += 1;
      chunks += n;
    }
    // With the file's last page or part, so stale ones are deleted only after the new ones exist.
    if (file.documents.length === 0) continue;
    if (file.pdf) current.pdfs.push(file.pdf);
    current.parted.push(...(file.parted ?? []));
  }
  if (current.documents.length > 0) batches.push(current);
  return { batches, documents, chunks };
}
