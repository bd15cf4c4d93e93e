/**
 * Bulk-ingest throughput against its bound, the embedder alone. Ingests 10,000 chunks (npm
 * READMEs from node_modules, cut by the service's chunker) as one JSON ingest job through the
 * real app over HTTP, with the default local embedder and the embedded Chroma strategy; then
 * embeds the same chunks with the same embedder directly, in INGEST_BATCH_CHUNKS batches, and
 * writes those vectors straight into a fresh collection through the VectorStore port (the
 * store's own bound). Prints chunks/s of each, the ratios and the API process's peak RSS.
 * Usage: npx ts-node --transpile-only bench/ingest/run.ts [chunks=10000]
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { tokenFromArgs } from '../../src/auth/token.cli';
import { AppConfig } from '../../src/config/app-config';
import { chunkText } from '../../src/documents/chunker';
import { deriveTitle } from '../../src/documents/document-metadata';
import { EmbedderCatalog } from '../../src/embeddings/embedder-catalog';
import { VectorStore } from '../../src/vector-store/vector-store.port';
import type { IngestJobDto } from '../../src/ingest/dto/ingest-job.dto';
import { loadCorpus } from '../retrieval/corpus';

const ROOT = join(__dirname, '..', '..');
const COLLECTION = 'bench-ingest';

/** Whole READMEs until their chunks reach `target`, the last one trimmed to land on it. */
function corpus(config: AppConfig, target: number) {
  const chunking = { size: config.documents.chunkSize, overlap: config.documents.chunkOverlap };
  const documents: { id: string; text: string }[] = [];
  const chunks: { text: string; title: string }[] = [];
  const readmes = loadCorpus(join(ROOT, 'node_modules')).docs;
  // The corpus again under other ids when it is shorter than the target.
  for (let pass = 0; chunks.length < target; pass++)
    for (const readme of readmes) {
      const doc = { id: `${readme.id}@${pass}`, text: readme.text };
      let pieces = chunkText(doc.text, chunking);
      if (pieces.length === 0) continue;
      if (chunks.length + pieces.length > target) {
        // One chunk per document for the remainder keeps the count exact.
        pieces = pieces.slice(0, target - chunks.length);
        pieces.forEach((text, n) => documents.push({ id: `${doc.id}/tail-${n}`, text }));
      } else documents.push({ id: doc.id, text: doc.text });
      const title = deriveTitle(documents[documents.length - 1].text, {});
      for (const text of pieces) chunks.push({ text, title });
      if (chunks.length >= target) break;
    }
  return { documents, chunks };
}

async function main(): Promise<void> {
  const target = Number(process.argv[2] ?? 10_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'rag-bench-ingest-'));
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    MODELS_DIR: join(ROOT, 'node_modules', '.cache', 'rag-test-models'),
    LOG_LEVEL: 'warn',
    SWAGGER_ENABLED: 'false',
    BODY_LIMIT_BYTES: '200000000',
    INGEST_MAX_FILES: '10000',
    REQUEST_TIMEOUT_MS: '600000',
  });
  delete process.env.CHROMA_HOST;
  const config = AppConfig.fromEnv();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error'] });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const headers = {
    authorization: `Bearer ${tokenFromArgs(['--scope', 'rag/admin'], config)}`,
    'content-type': 'application/json',
  };
  try {
    const { documents, chunks } = corpus(config, target);
    const embedder = await app.get(EmbedderCatalog).current();
    await embedder.embedDocuments(['warm up'], ['warm up']);

    const started = performance.now();
    const response = await fetch(`${url}/ingest/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ collection: COLLECTION, documents }),
    });
    if (response.status !== 202)
      throw new Error(`HTTP ${response.status} ${await response.text()}`);
    let job = (await response.json()) as IngestJobDto;
    while (!['succeeded', 'failed', 'cancelled'].includes(job.state)) {
      await sleep(100);
      job = (await (
        await fetch(`${url}/ingest/jobs/${job.id}`, { headers })
      ).json()) as IngestJobDto;
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    if (job.state !== 'succeeded' || job.chunks.done !== chunks.length) {
      throw new Error(
        `job ${job.state}: ${job.chunks.done}/${chunks.length} chunks ${job.error ?? ''}`,
      );
    }

    const embedStarted = performance.now();
    const batch = config.ingest.batchChunks;
    const vectors: number[][] = [];
    for (let i = 0; i < chunks.length; i += batch) {
      const slice = chunks.slice(i, i + batch);
      vectors.push(
        ...(await embedder.embedDocuments(
          slice.map((chunk) => chunk.text),
          slice.map((chunk) => chunk.title),
        )),
      );
    }
    const embedSeconds = (performance.now() - embedStarted) / 1000;

    // The same vectors written directly: what Chroma alone sustains, with nothing else around it.
    const store = app.get(VectorStore);
    const storeCollection = `${COLLECTION}-store-only`;
    await store.ensureCollection(storeCollection, embedder.fingerprint);
    const storeStarted = performance.now();
    await store.upsert(
      storeCollection,
      chunks.map((chunk, i) => ({
        id: `c${i}`,
        embedding: vectors[i],
        text: chunk.text,
        metadata: { title: chunk.title },
      })),
    );
    const storeSeconds = (performance.now() - storeStarted) / 1000;

    const ingestRate = chunks.length / ingestSeconds;
    const embedRate = chunks.length / embedSeconds;
    console.log(
      `${documents.length} documents, ${chunks.length} chunks, embedder ${embedder.fingerprint.model}`,
    );
    console.log(
      `ingest job (HTTP → extract → embed → Chroma): ${ingestRate.toFixed(0)} chunks/s (${ingestSeconds.toFixed(2)} s)`,
    );
    console.log(
      `embedder alone:                               ${embedRate.toFixed(0)} chunks/s (${embedSeconds.toFixed(2)} s)`,
    );
    const storeRate = chunks.length / storeSeconds;
    console.log(
      `Chroma upsert alone (same vectors):           ${storeRate.toFixed(0)} chunks/s (${storeSeconds.toFixed(2)} s)`,
    );
    console.log(`ingest / embedder: ${((ingestRate / embedRate) * 100).toFixed(1)} %`);
    console.log(`ingest / Chroma upsert: ${((ingestRate / storeRate) * 100).toFixed(1)} %`);
    console.log(
      `peak RSS of the API process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
