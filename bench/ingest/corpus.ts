import { join } from 'node:path';
import type { DocumentsConfig } from '../../src/documents/documents.config';
import { chunkText } from '../../src/documents/chunker';
import { deriveTitle } from '../../src/documents/document-metadata';
import { loadCorpus } from '../retrieval/corpus';
import { ROOT } from '../perf/shared';

export interface IngestCorpus {
  documents: { id: string; text: string }[];
  /** The chunks the service cuts from them, with the title it embeds them with. */
  chunks: { text: string; title: string }[];
}

/**
 * Whole npm READMEs from node_modules until their chunks (cut by the service's chunker) reach
 * `target`; the remainder is one-chunk documents so the count is exact. The corpus repeats under
 * other ids when it is shorter than the target.
 */
export function ingestCorpus(config: DocumentsConfig, target: number): IngestCorpus {
  const chunking = { size: config.chunkSize, overlap: config.chunkOverlap };
  const documents: IngestCorpus['documents'] = [];
  const chunks: IngestCorpus['chunks'] = [];
  const readmes = loadCorpus(join(ROOT, 'node_modules')).docs;
  for (let pass = 0; chunks.length < target; pass++)
    for (const readme of readmes) {
      const doc = { id: `${readme.id}@${pass}`, text: readme.text };
      let pieces = chunkText(doc.text, chunking);
      if (pieces.length === 0) continue;
      if (chunks.length + pieces.length > target) {
        pieces = pieces.slice(0, target - chunks.length);
        pieces.forEach((text, n) => documents.push({ id: `${doc.id}/tail-${n}`, text }));
      } else documents.push({ id: doc.id, text: doc.text });
      const title = deriveTitle(documents[documents.length - 1].text, {});
      for (const text of pieces) chunks.push({ text, title });
      if (chunks.length >= target) break;
    }
  return { documents, chunks };
}
