import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseEnv } from '../../src/config/env';
import { documentsConfigFrom } from '../../src/documents/documents.config';
import { chunkText } from '../../src/documents/chunker';
import { chunkHash, deriveTitle } from '../../src/documents/document-metadata';
import { WRITE_TOKEN_KEY } from '../../src/vector-store/chroma-http.store';
import type { CachingEmbedder } from '../../src/embeddings/caching.embedder';
import { loadCorpus } from '../retrieval/corpus';
import { chromaClient, ROOT } from './shared';

/** Distinct chunks actually embedded; larger collections reuse them with jittered vectors. */
const MAX_DISTINCT = 5000;
const UPSERT_BATCH = 5000;
/** Small enough to keep each copy near its source, large enough to make the vectors distinct. */
const JITTER = 0.02;

interface Chunk {
  text: string;
  title: string;
}

/** Up to `count` README chunks from node_modules, cut by the service's own chunker. */
function distinctChunks(count: number): Chunk[] {
  const documents = documentsConfigFrom(parseEnv({}));
  const chunking = { size: documents.chunkSize, overlap: documents.chunkOverlap };
  const out: Chunk[] = [];
  for (const doc of loadCorpus(join(ROOT, 'node_modules')).docs) {
    const title = deriveTitle(doc.text, {});
    for (const text of chunkText(doc.text, chunking)) out.push({ text, title });
    if (out.length >= count) break;
  }
  return out.slice(0, count);
}

/** A deterministic PRNG (mulberry32): the same data on every run. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Creates `name` holding `size` chunks exactly as the API stores them (cosine space,
 * embedder fingerprint and write token in the collection metadata, the service's chunk metadata), writing
 * precomputed vectors straight through the chromadb client in big batches.
 */
export async function buildCollection(
  chromaUrl: string,
  name: string,
  size: number,
  embedder: CachingEmbedder,
): Promise<void> {
  const client = chromaClient(chromaUrl);
  const fp = embedder.fingerprint;
  const collection = await client.getOrCreateCollection({
    name,
    embeddingFunction: null,
    configuration: { hnsw: { space: 'cosine' } },
    metadata: {
      embedder_provider: fp.provider,
      embedder_model: fp.model,
      embedder_dimension: fp.dimension,
      // As after the API's last write to it (the token every write replaces).
      [WRITE_TOKEN_KEY]: randomUUID(),
    },
  });
  const chunks = distinctChunks(Math.min(size, MAX_DISTINCT));
  const vectors = await embedder.embedDocuments(
    chunks.map((chunk) => chunk.text),
    chunks.map((chunk) => chunk.title),
  );
  const next = random(size);
  const batch = Math.min(UPSERT_BATCH, await client.getMaxBatchSize());
  for (let start = 0; start < size; start += batch) {
    const ids: string[] = [];
    const embeddings: number[][] = [];
    const documents: string[] = [];
    const metadatas: Record<string, string | number>[] = [];
    for (let i = start; i < Math.min(size, start + batch); i++) {
      const source = i % chunks.length;
      const copy = Math.floor(i / chunks.length);
      const documentId = `bench/${source}@${copy}`;
      ids.push(`${documentId}#0`);
      embeddings.push(
        copy === 0 ? vectors[source] : vectors[source].map((v) => v + (next() - 0.5) * JITTER),
      );
      documents.push(chunks[source].text);
      metadatas.push({
        title: chunks[source].title,
        document_id: documentId,
        chunk_index: 0,
        chunk_count: 1,
        content_hash: 'bench',
        chunk_hash: chunkHash(chunks[source].text),
      });
    }
    await collection.upsert({ ids, embeddings, documents, metadatas });
  }
  const count = await collection.count();
  if (count !== size) throw new Error(`${name} holds ${count} chunks instead of ${size}`);
}
