/**
 * Bulk-ingest throughput against its bounds, with the API as its own process (`node dist/main.js`,
 * built first) on a Chroma server this bench starts (`CHROMA_HOST`), so the memory figures are
 * the API's own peak RSS (VmHWM), not this script's.
 *
 * 1. Default local embedder: a job of chunks/10, then one of `chunks` (npm READMEs, sent as one
 *    JSON job each); the API's RSS after boot and its peak after each job. Then, in this process
 *    on the same server, the two bounds: the embedder alone (the app's stack, INGEST_BATCH_CHUNKS
 *    per call, as ingest calls it) on the chunks the job stored, and Chroma's own upsert of those
 *    records with those vectors into a fresh collection.
 * 2. A slow embedder: the API on EMBEDDINGS_PROVIDER=openai pointed at a local OpenAI-compatible
 *    server (./slow-embedder.ts) serving one request at a time, `--slow-delay-ms` each; ingest
 *    of `--slow-chunks` against that embedder alone, called the same way.
 *
 * Ratios printed: ingest / embedder (target >= 80 %, MISSED when not met) and ingest / Chroma.
 * `--api-heap-mb` caps the API's V8 old space (--max-old-space-size): its peak RSS without a cap
 * is mostly garbage V8 has not collected yet, and a job that still succeeds under a small cap
 * shows what ingest really holds.
 * `--api-env KEY=VALUE` (repeatable) sets a variable of both APIs, e.g. INGEST_PIPELINE_DEPTH.
 * Usage: npx ts-node --transpile-only bench/ingest/run.ts [chunks=10000]
 *          [--slow-chunks chunks/2] [--slow-delay-ms 200] [--api-heap-mb N] [--api-env K=V]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseEnv } from '../../src/config/env';
import { documentsConfigFrom } from '../../src/documents/documents.config';
import { embeddingsConfigFrom } from '../../src/embeddings/embeddings.config';
import { ingestConfigFrom } from '../../src/ingest/ingest.config';
import { vectorStoreConfigFrom } from '../../src/vector-store/vector-store.config';
import { CachingEmbedder } from '../../src/embeddings/caching.embedder';
import type { Embedder } from '../../src/embeddings/embedder.port';
import { OpenAiEmbedder } from '../../src/embeddings/openai.embedder';
import type { IngestJobDto } from '../../src/ingest/dto/ingest-job.dto';
import {
  ChromaHttpStore,
  chromaEndpoint,
  createChromaClient,
} from '../../src/vector-store/chroma-http.store';
import { ChromaRestQuery } from '../../src/vector-store/chroma-rest.query';
import { findFreePort } from '../../src/vector-store/chroma-server.process';
import { RequestDeadline } from '../../src/vector-store/request-deadline';
import type { StoredRecord } from '../../src/vector-store/vector-store.port';
import {
  apiToken,
  appEmbedder,
  MODELS_DIR,
  ROOT,
  rssMb,
  startBenchChroma,
  startNodeServer,
  type NodeServer,
} from '../perf/shared';
import { ingestCorpus, type IngestCorpus } from './corpus';
import { startSlowEmbedder } from './slow-embedder';

const TARGET = 0.8;
const SLOW_DIMENSIONS = 256;
const PAGE = 1000;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'slow-chunks': { type: 'string' },
    'slow-delay-ms': { type: 'string' },
    'api-heap-mb': { type: 'string' },
    'api-env': { type: 'string', multiple: true },
  },
});
const chunks = Number(positionals[0] ?? 10_000);
const slowChunks = Number(flags['slow-chunks'] ?? Math.round(chunks / 2));
const slowDelayMs = Number(flags['slow-delay-ms'] ?? 200);

const rate = (count: number, seconds: number) => `${(count / seconds).toFixed(0)} chunks/s`;
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

interface JobRun {
  /** POST to the job's own finished_at (the poll interval does not count). */
  seconds: number;
  /** POST to 202: extraction, batch planning and staging the batches in Chroma. */
  acceptSeconds: number;
  /** The job's own started_at to finished_at: claimed by a runner until its last batch. */
  runSeconds: number;
}

/** Sends `documents` as one JSON ingest job and waits until it succeeded. */
async function ingestJob(
  api: NodeServer,
  token: string,
  collection: string,
  { documents, chunks: expected }: IngestCorpus,
): Promise<JobRun> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const started = Date.now();
  const response = await fetch(`${api.url}/ingest/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ collection, documents }),
  });
  if (response.status !== 202) throw new Error(`HTTP ${response.status} ${await response.text()}`);
  const acceptSeconds = (Date.now() - started) / 1000;
  let job = (await response.json()) as IngestJobDto;
  while (!['succeeded', 'failed', 'cancelled'].includes(job.state)) {
    await sleep(100);
    job = (await (
      await fetch(`${api.url}/ingest/jobs/${job.id}`, { headers })
    ).json()) as IngestJobDto;
  }
  if (job.state !== 'succeeded' || job.chunks.done !== expected.length) {
    throw new Error(`job ${job.state}: ${job.chunks.done}/${expected.length} ${job.error ?? ''}`);
  }
  const finished = Date.parse(job.finished_at!);
  return {
    seconds: (finished - started) / 1000,
    acceptSeconds,
    runSeconds: (finished - Date.parse(job.started_at!)) / 1000,
  };
}

/** Seconds and calls per Chroma operation and in document embedding, from the API's /metrics. */
async function callTimes(
  metricsPort: string,
): Promise<Map<string, { seconds: number; calls: number }>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const times = new Map<string, { seconds: number; calls: number }>();
  const line =
    /^rag_(chroma|embedding)_duration_seconds_(sum|count)\{(?:operation|kind)="([^"]+)",outcome="ok"\} (\S+)$/gm;
  for (const [, system, field, name, value] of text.matchAll(line)) {
    const key = `${system} ${name}`;
    const entry = times.get(key) ?? { seconds: 0, calls: 0 };
    if (field === 'sum') entry.seconds = Number(value);
    else entry.calls = Number(value);
    times.set(key, entry);
  }
  return times;
}

/** What the API spent in each Chroma operation and in embedding between two scrapes. */
function callTimesBetween(
  before: Map<string, { seconds: number; calls: number }>,
  after: Map<string, { seconds: number; calls: number }>,
): string[] {
  return [...after]
    .map(([key, { seconds, calls }]) => ({
      key,
      seconds: seconds - (before.get(key)?.seconds ?? 0),
      calls: calls - (before.get(key)?.calls ?? 0),
    }))
    .filter((entry) => entry.calls > 0)
    .sort((a, b) => b.seconds - a.seconds)
    .map((entry) => `${entry.key} ${entry.seconds.toFixed(2)} s in ${entry.calls} calls`);
}

/** Embeds the texts with their titles the way ingest does: `batch` chunks per call. */
async function embedAlone(
  embedder: Embedder,
  records: { text: string; title: string }[],
  batch: number,
): Promise<{ vectors: number[][]; seconds: number }> {
  const started = performance.now();
  const vectors: number[][] = [];
  for (let i = 0; i < records.length; i += batch) {
    const slice = records.slice(i, i + batch);
    vectors.push(
      ...(await embedder.embedDocuments(
        slice.map((record) => record.text),
        slice.map((record) => record.title),
      )),
    );
  }
  return { vectors, seconds: (performance.now() - started) / 1000 };
}

/** Every record of a collection, texts and metadata as ingest stored them. */
async function storedRecords(store: ChromaHttpStore, collection: string): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.getPage(collection, offset, PAGE);
    records.push(...page);
    if (page.length < PAGE) return records;
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rag-bench-ingest-'));
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-build.js')], { stdio: 'inherit' });
  const chroma = await startBenchChroma(work);
  const servers: NodeServer[] = [];
  const start = async (env: Record<string, string>, log: string) => {
    const server = await startNodeServer([join(ROOT, 'dist', 'main.js')], env, join(work, log));
    servers.push(server);
    return server;
  };
  try {
    const dataDir = join(work, 'api');
    mkdirSync(dataDir);
    const apiEnv = {
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      MODELS_DIR,
      CHROMA_HOST: chroma.url,
      METRICS_PORT: String(await findFreePort()),
      LOG_LEVEL: 'warn',
      SWAGGER_ENABLED: 'false',
      // One principal sends everything, in large JSON jobs.
      THROTTLE_LIMIT: '100000000',
      THROTTLE_STRICT_LIMIT: '100000000',
      BODY_LIMIT_BYTES: '200000000',
      INGEST_MAX_FILES: '10000',
      REQUEST_TIMEOUT_MS: '600000',
      ...(flags['api-heap-mb']
        ? { NODE_OPTIONS: `--max-old-space-size=${flags['api-heap-mb']}` }
        : {}),
      ...Object.fromEntries((flags['api-env'] ?? []).map((pair) => pair.split(/=(.*)/s, 2))),
    };
    const env = parseEnv(apiEnv);
    const documents = documentsConfigFrom(env);
    const storeConfig = vectorStoreConfigFrom(env);
    const full = ingestCorpus(documents, chunks);
    const small = ingestCorpus(documents, Math.max(1, Math.round(chunks / 10)));
    const token = apiToken(apiEnv, 'rag/admin');
    const deadline = new RequestDeadline('the vector store');
    const store = new ChromaHttpStore(createChromaClient(storeConfig.http!, deadline), {
      strategy: 'http',
      timeoutMs: storeConfig.timeoutMs,
      upsertBatchSize: storeConfig.upsertBatchSize,
      deadline,
      // The app's own write path to a self-hosted server (REST, vectors packed by Buffer).
      restQuery: new ChromaRestQuery(chromaEndpoint(storeConfig.http!)!, storeConfig.querySockets),
    });

    // 1. The local embedder.
    const api = await start(apiEnv, 'api-local.log');
    const bootRss = rssMb(api.pid, 'VmRSS');
    const smallRun = await ingestJob(api, token, 'bench-ingest-small', small);
    const smallPeak = rssMb(api.pid, 'VmHWM');
    const timesBefore = await callTimes(apiEnv.METRICS_PORT);
    const fullRun = await ingestJob(api, token, 'bench-ingest', full);
    const fullTimes = callTimesBetween(timesBefore, await callTimes(apiEnv.METRICS_PORT));
    const fullPeak = rssMb(api.pid, 'VmHWM');
    await api.stop();

    const records = await storedRecords(store, 'bench-ingest');
    const local = appEmbedder();
    await local.ready();
    await local.embedDocuments(['warm up'], ['warm up']);
    const embedded = await embedAlone(
      local,
      records.map((record) => ({ text: record.text, title: String(record.metadata.title) })),
      ingestConfigFrom(env).batchChunks,
    );
    const storeOnly = 'bench-ingest-store-only';
    await store.ensureCollection(storeOnly, local.fingerprint);
    const storeStarted = performance.now();
    await store.upsert(
      storeOnly,
      records.map((record, i) => ({ ...record, embedding: embedded.vectors[i] })),
    );
    const storeSeconds = (performance.now() - storeStarted) / 1000;

    // 2. A slow embedder behind the OpenAI wire format.
    const slowServer = await startSlowEmbedder({
      delayMs: slowDelayMs,
      dimensions: SLOW_DIMENSIONS,
    });
    const slowEnv = {
      ...apiEnv,
      EMBEDDINGS_PROVIDER: 'openai',
      EMBEDDINGS_MODEL: 'bench-hash',
      EMBEDDINGS_BASE_URL: `${slowServer.url}/v1`,
      EMBEDDINGS_DIMENSIONS: String(SLOW_DIMENSIONS),
    };
    const slowVariables = parseEnv(slowEnv);
    const slowCorpus = ingestCorpus(documentsConfigFrom(slowVariables), slowChunks);
    let slowRun: JobRun;
    let slowAlone: number;
    let slowBusySeconds: number;
    try {
      const slowApi = await start(slowEnv, 'api-slow.log');
      const servedBefore = slowServer.served();
      slowRun = await ingestJob(slowApi, token, 'bench-ingest-slow', slowCorpus);
      slowBusySeconds = ((slowServer.served() - servedBefore) * slowDelayMs) / 1000;
      await slowApi.stop();
      const embeddings = embeddingsConfigFrom(slowVariables);
      const remote = new CachingEmbedder(
        new OpenAiEmbedder({
          baseUrl: embeddings.baseUrl!,
          model: embeddings.model!,
          dimensions: embeddings.dimensions,
          timeoutMs: embeddings.timeoutMs,
          retry: { maxRetries: embeddings.maxRetries },
        }),
        { cacheSize: embeddings.cacheSize, batchSize: embeddings.batchSize },
      );
      const slowRecords = await storedRecords(store, 'bench-ingest-slow');
      slowAlone = (
        await embedAlone(
          remote,
          slowRecords.map((record) => ({
            text: record.text,
            title: String(record.metadata.title),
          })),
          ingestConfigFrom(slowVariables).batchChunks,
        )
      ).seconds;
    } finally {
      await slowServer.close();
    }

    const n = full.chunks.length;
    const ingestRate = n / fullRun.seconds;
    const verdict = (ratio: number) => (ratio >= TARGET ? 'met' : 'MISSED');
    const job = (label: string, count: number, run: JobRun) =>
      `  ingest job, ${label}: ${rate(count, run.seconds)} (${run.seconds.toFixed(2)} s, of which accepting and staging ${run.acceptSeconds.toFixed(2)} s)`;
    console.log(
      `${full.documents.length} documents, ${n} chunks (npm READMEs); API: node dist/main.js${flags['api-heap-mb'] ? ` --max-old-space-size=${flags['api-heap-mb']}` : ''}${(flags['api-env'] ?? []).map((pair) => ` ${pair}`).join('')}, Chroma server ${chroma.url}`,
    );
    console.log(`Local embedder ${local.fingerprint.model} (${local.fingerprint.dimension} dims):`);
    console.log(job(`${small.chunks.length} chunks`, small.chunks.length, smallRun));
    console.log(job(`${n} chunks`, n, fullRun));
    console.log(
      `  time in calls during that job (summed over calls in flight at once; the job ran ${fullRun.runSeconds.toFixed(2)} s from claim to finish): ${fullTimes.join('; ')}`,
    );
    console.log(`  embedder alone:                    ${rate(n, embedded.seconds)}`);
    console.log(`  Chroma upsert alone (same records): ${rate(n, storeSeconds)}`);
    const embedRatio = ingestRate / (n / embedded.seconds);
    console.log(
      `  ingest / embedder: ${percent(embedRatio)} (target >= ${TARGET * 100} %) ${verdict(embedRatio)}`,
    );
    console.log(`  ingest / Chroma upsert: ${percent(ingestRate / (n / storeSeconds))}`);
    console.log(
      `  API RSS after boot ${bootRss.toFixed(0)} MB; peak (VmHWM) after ${small.chunks.length} chunks ${smallPeak.toFixed(0)} MB, after ${n} more ${fullPeak.toFixed(0)} MB`,
    );
    const m = slowCorpus.chunks.length;
    console.log(
      `Slow OpenAI-compatible embedder (${SLOW_DIMENSIONS} dims, one request at a time, ${slowDelayMs} ms each, ${embeddingsConfigFrom(slowVariables).batchSize} texts per request):`,
    );
    console.log(job(`${m} chunks`, m, slowRun));
    console.log(`  embedder alone:                    ${rate(m, slowAlone)}`);
    const slowRatio = slowAlone / slowRun.seconds;
    console.log(
      `  ingest / embedder: ${percent(slowRatio)} (target >= ${TARGET * 100} %) ${verdict(slowRatio)}`,
    );
    console.log(
      `  embedder busy ${percent(slowBusySeconds / slowRun.runSeconds)} of the job's running time (${slowRun.runSeconds.toFixed(2)} s from claim to finish)`,
    );
  } finally {
    for (const server of servers) await server.stop();
    await chroma.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
