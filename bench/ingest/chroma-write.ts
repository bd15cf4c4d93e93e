/**
 * Where ingest's time can go, piece by piece, on one Chroma server this script starts:
 *
 * 1. Our own work per chunk: chunking plus metadata (the service's chunker, `withDefaults`,
 *    `contentHash`), embedding (the app's default stack, INGEST_BATCH_CHUNKS texts per call) and
 *    packing a REST upsert body (vectors as base64 float32, JSON).
 * 2. Chroma's upsert rate, the app's own write path (`ChromaHttpStore` over REST), of the same
 *    README chunks with their metadata, each run into a fresh collection: by records per upsert
 *    call, and by upsert calls in flight at once, at the default embedder's width and, for
 *    reference only, at 100 dims (its first 100 components, renormalised).
 * 3. The lookups each ingest batch makes besides its upsert: the `document_id $in` find of the
 *    service (what is stored already) on a collection holding `records` chunks.
 *
 * Usage: npx ts-node --transpile-only bench/ingest/chroma-write.ts [records=3000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseEnv } from '../../src/config/env';
import { chunkText } from '../../src/documents/chunker';
import { contentHash, withDefaults } from '../../src/documents/document-metadata';
import { documentsConfigFrom } from '../../src/documents/documents.config';
import { ingestConfigFrom } from '../../src/ingest/ingest.config';
import {
  ChromaHttpStore,
  chromaEndpoint,
  createChromaClient,
} from '../../src/vector-store/chroma-http.store';
import { ChromaRestQuery, packEmbedding } from '../../src/vector-store/chroma-rest.query';
import { RequestDeadline } from '../../src/vector-store/request-deadline';
import { vectorStoreConfigFrom } from '../../src/vector-store/vector-store.config';
import type { Metadata, VectorRecord } from '../../src/vector-store/vector-store.port';
import { appEmbedder, chromaClient, MODELS_DIR, startBenchChroma } from '../perf/shared';
import { ingestCorpus } from './corpus';

const total = Number(process.argv[2] ?? 3000);
const BATCH_SIZES = [100, 250, 500, 1000];
const CONCURRENCY = [1, 2, 4];
const CONCURRENCY_BATCH = 250;

const perChunkUs = (seconds: number, n: number) => `${((seconds * 1e6) / n).toFixed(0)} µs/chunk`;

/** The first `dims` components of each vector, renormalised (cosine space). */
const narrow = (vector: number[], dims: number) => {
  const head = vector.slice(0, dims);
  const norm = Math.hypot(...head) || 1;
  return head.map((x) => x / norm);
};

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rag-bench-chroma-write-'));
  const chroma = await startBenchChroma(work);
  try {
    const env = parseEnv({ MODELS_DIR, CHROMA_HOST: chroma.url });
    const documents = documentsConfigFrom(env);
    const batchChunks = ingestConfigFrom(env).batchChunks;
    const chunking = { size: documents.chunkSize, overlap: documents.chunkOverlap };
    const corpus = ingestCorpus(documents, total);

    // 1. Our work per chunk.
    let started = performance.now();
    const records: Omit<VectorRecord, 'embedding'>[] = [];
    const titles: string[] = [];
    for (const doc of corpus.documents) {
      const chunks = chunkText(doc.text, chunking);
      const metadata = withDefaults(doc.id, doc.text, {});
      const hash = contentHash(doc.text, metadata, chunking);
      chunks.forEach((text, index) => {
        titles.push(String(metadata.title));
        records.push({
          id: `${doc.id}#${index}`,
          text,
          metadata: {
            ...metadata,
            document_id: doc.id,
            chunk_index: index,
            chunk_count: chunks.length,
            content_hash: hash,
          },
        });
      });
    }
    const prepareSeconds = (performance.now() - started) / 1000;
    const embedder = appEmbedder();
    await embedder.ready();
    await embedder.embedDocuments(['warm up'], ['warm up']);
    started = performance.now();
    const vectors: number[][] = [];
    for (let i = 0; i < records.length; i += batchChunks) {
      const slice = records.slice(i, i + batchChunks);
      vectors.push(
        ...(await embedder.embedDocuments(
          slice.map((record) => record.text),
          titles.slice(i, i + batchChunks),
        )),
      );
    }
    const embedSeconds = (performance.now() - started) / 1000;
    const dims = vectors[0].length;
    started = performance.now();
    let bodyBytes = 0;
    for (let i = 0; i < records.length; i += batchChunks) {
      const slice = records.slice(i, i + batchChunks);
      bodyBytes += JSON.stringify({
        ids: slice.map((record) => record.id),
        embeddings: vectors.slice(i, i + batchChunks).map(packEmbedding),
        documents: slice.map((record) => record.text),
        metadatas: slice.map((record) => record.metadata),
      }).length;
    }
    const packSeconds = (performance.now() - started) / 1000;
    const n = records.length;
    console.log(`${n} chunks of npm READMEs, Chroma server ${chroma.url}`);
    console.log(`chunking + metadata + content hash: ${perChunkUs(prepareSeconds, n)}`);
    console.log(
      `embedding (${embedder.fingerprint.model}, ${dims} dims, ${batchChunks} per call): ${perChunkUs(embedSeconds, n)} = ${(n / embedSeconds).toFixed(0)} chunks/s`,
    );
    console.log(
      `REST body (base64 float32 + JSON): ${perChunkUs(packSeconds, n)}, ${(bodyBytes / n).toFixed(0)} bytes/chunk`,
    );

    // 2. Chroma's upsert rate.
    const deadline = new RequestDeadline('the vector store');
    const http = vectorStoreConfigFrom(env).http!;
    const rest = new ChromaRestQuery(chromaEndpoint(http)!, { max: 64, idleMs: 30_000 });
    const store = (batch: number) =>
      new ChromaHttpStore(createChromaClient(http, deadline), {
        strategy: 'http',
        timeoutMs: 600_000,
        upsertBatchSize: batch,
        deadline,
        restQuery: rest,
      });
    let run = 0;
    const upsertRate = async (width: number, batch: number, inFlight: number) => {
      const name = `write-${run++}`;
      const target = store(batch);
      await target.ensureCollection(name, { ...embedder.fingerprint, dimension: width });
      const full = records.map((record, i) => ({
        ...record,
        embedding: width === dims ? vectors[i] : narrow(vectors[i], width),
      }));
      const calls: VectorRecord[][] = [];
      for (let i = 0; i < full.length; i += batch) calls.push(full.slice(i, i + batch));
      const begin = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < calls.length) await target.upsert(name, calls[next++]);
        }),
      );
      const seconds = (performance.now() - begin) / 1000;
      await target.deleteCollection(name);
      return n / seconds;
    };
    for (const width of [dims, 100]) {
      const bySize: string[] = [];
      for (const batch of BATCH_SIZES) {
        bySize.push(`${batch}: ${(await upsertRate(width, batch, 1)).toFixed(0)}`);
      }
      console.log(
        `upsert ${width} dims, one call at a time, rec/s by records per call: ${bySize.join(', ')}`,
      );
      const byFlight: string[] = [];
      for (const inFlight of CONCURRENCY) {
        byFlight.push(
          `${inFlight}: ${(await upsertRate(width, CONCURRENCY_BATCH, inFlight)).toFixed(0)}`,
        );
      }
      console.log(
        `upsert ${width} dims, ${CONCURRENCY_BATCH} per call, rec/s by calls in flight: ${byFlight.join(', ')}`,
      );
    }

    // What Chroma's write spends it on: the same upserts without documents, without metadata.
    const client = chromaClient(chroma.url);
    const shapes: [string, (i: number) => { document?: string; metadata?: Metadata }][] = [
      [
        'ids + vectors + documents + metadata',
        (i) => ({ document: records[i].text, metadata: records[i].metadata }),
      ],
      ['without documents', (i) => ({ metadata: records[i].metadata })],
      ['without metadata', (i) => ({ document: records[i].text })],
      ['ids + vectors only', () => ({})],
    ];
    for (const width of [dims, 100]) {
      const byShape: string[] = [];
      for (const [label, fields] of shapes) {
        const collection = await client.createCollection({
          name: `shape-${run++}`,
          embeddingFunction: null,
          configuration: { hnsw: { space: 'cosine' } },
        });
        const path = `${chroma.url}/api/v2/tenants/${collection.tenant}/databases/${collection.database}/collections/${collection.id}/upsert`;
        const begin = performance.now();
        for (let i = 0; i < n; i += 500) {
          const rows = records
            .slice(i, i + 500)
            .map((record, j) => ({ id: record.id, ...fields(i + j) }));
          const body: Record<string, unknown> = {
            ids: rows.map((row) => row.id),
            embeddings: vectors
              .slice(i, i + 500)
              .map((vector) => packEmbedding(width === dims ? vector : narrow(vector, width))),
          };
          if ('document' in rows[0]) body.documents = rows.map((row) => row.document);
          if ('metadata' in rows[0]) body.metadatas = rows.map((row) => row.metadata);
          const response = await fetch(path, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
        }
        byShape.push(`${label}: ${(n / ((performance.now() - begin) / 1000)).toFixed(0)}`);
        await client.deleteCollection({ name: collection.name });
      }
      console.log(
        `upsert ${width} dims, 500 per call, rec/s by what is sent: ${byShape.join(', ')}`,
      );
    }

    // 3. The service's lookup of what is stored, on a collection holding all the records.
    const lookup = 'write-lookup';
    const target = store(500);
    await target.ensureCollection(lookup, embedder.fingerprint);
    await target.upsert(
      lookup,
      records.map((record, i) => ({ ...record, embedding: vectors[i] })),
    );
    const ids = [...new Set(records.map((record) => String(record.metadata.document_id)))];
    const times: number[] = [];
    for (let i = 0; i < ids.length; i += 40) {
      const begin = performance.now();
      await target.find(lookup, { document_id: { $in: ids.slice(i, i + 40) } });
      times.push(performance.now() - begin);
    }
    times.sort((a, b) => a - b);
    console.log(
      `find document_id $in 40 ids on ${n} records: median ${times[times.length >> 1].toFixed(1)} ms`,
    );
  } finally {
    await chroma.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
