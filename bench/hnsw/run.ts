/**
 * Recall of Chroma's HNSW index against exact search over the same stored vectors.
 *
 * Chunks: every markdown file of at least 1 kB under node_modules (sorted paths), cut by the
 * service's chunker, identical texts dropped, embedded by the service's default embedder. A size
 * above the distinct real chunks is filled with perturbed copies of them (a small uniform jitter
 * per dimension, fixed seed): near-duplicate clusters, which make approximate search harder, not
 * easier. Queries: the 60 bench/retrieval questions plus the opening words of chunks sampled with
 * a fixed seed, embedded as queries.
 *
 * Exact search is brute-force cosine in this process. A result counts as found when its exact
 * cosine is at least the k-th best exact cosine (so equal-score ties are not misses).
 *
 * Every setting is a collection built with it. ef_search is changeable on an existing collection
 * (`modify`), but the pinned server (chromadb-js-bindings 1.0.5) kept searching an index it had
 * loaded with the old value (measured here: created with ef_search 10 then set to 100 gave the
 * ef_search 10 recall), so modifying is not a way to measure it.
 *
 *   npm run bench:hnsw -- [--sizes 10000,100000] [--queries 200]
 *                         [--settings 100x100x16,200x200x32] [--out bench/hnsw/RESULTS.md]
 * A setting is ef_construction x ef_search x max_neighbors.
 */
import type { Collection } from 'chromadb';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { HNSW_DEFAULTS, TOP_K_CEILING } from '../../src/config/env.schema';
import { parseEnv } from '../../src/config/env';
import { documentsConfigFrom } from '../../src/documents/documents.config';
import { chunkText } from '../../src/documents/chunker';
import { hnswConfiguration } from '../../src/vector-store/chroma-http.store';
import { random } from '../perf/fixture';
import { QUESTIONS } from '../retrieval/questions';
import { appEmbedder, chromaClient, ROOT, startBenchChroma } from '../perf/shared';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    queries: { type: 'string', default: '200' },
    settings: {
      type: 'string',
      default: `100x100x16,${HNSW_DEFAULTS.efConstruction}x${HNSW_DEFAULTS.efSearch}x${HNSW_DEFAULTS.maxNeighbors}`,
    },
    out: { type: 'string', default: join(__dirname, 'RESULTS.md') },
  },
});
const numbers = (csv: string): number[] => csv.split(',').map(Number);
const SIZES = numbers(flags.sizes);
const QUERY_COUNT = Number(flags.queries);
const SETTINGS = flags.settings.split(',').map((triple) => {
  const [efConstruction, efSearch, maxNeighbors] = triple.split('x').map(Number);
  return { efConstruction, efSearch, maxNeighbors };
});
const DEFAULT_TOP_K = parseEnv({}).DEFAULT_TOP_K;
const DEPTHS = [DEFAULT_TOP_K, TOP_K_CEILING];
const JITTER = 0.02;
const UPSERT_BATCH = 5000;
const QUERY_BATCH = 50;
const MIN_MARKDOWN_BYTES = 1024;

const log = (line: string) => process.stderr.write(`${line}\n`);

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) markdownFiles(path, out);
    else if (entry.isFile() && /\.(md|markdown)$/i.test(entry.name)) {
      if (statSync(path).size >= MIN_MARKDOWN_BYTES) out.push(path);
    }
  }
  return out;
}

/** Distinct real chunks, in a fixed order, up to `limit`. */
function realChunks(limit: number): string[] {
  const documents = documentsConfigFrom(parseEnv({}));
  const options = { size: documents.chunkSize, overlap: documents.chunkOverlap };
  const seen = new Set<string>();
  const files = markdownFiles(join(ROOT, 'node_modules')).sort((a, b) =>
    relative(ROOT, a).localeCompare(relative(ROOT, b)),
  );
  for (const file of files) {
    for (const chunk of chunkText(readFileSync(file, 'utf8'), options)) seen.add(chunk);
    if (seen.size >= limit) break;
  }
  return [...seen].slice(0, limit);
}

const normalized = (vector: number[]): Float32Array => {
  const norm = Math.hypot(...vector) || 1;
  return Float32Array.from(vector, (v) => v / norm);
};

/**
 * A collection of `size`: ids, texts and unit vectors (cosine space normalises anyway), the real
 * chunks first, then jittered copies of them.
 */
function corpusOf(
  size: number,
  chunks: string[],
  embedded: number[][],
): { ids: string[]; vectors: Float32Array[]; texts: string[] } {
  const next = random(size);
  const ids: string[] = [];
  const vectors: Float32Array[] = [];
  const texts: string[] = [];
  for (let i = 0; i < size; i++) {
    const source = i % chunks.length;
    const copy = Math.floor(i / chunks.length);
    ids.push(`c${source}@${copy}`);
    texts.push(chunks[source]);
    vectors.push(
      normalized(
        copy === 0 ? embedded[source] : embedded[source].map((v) => v + (next() - 0.5) * JITTER),
      ),
    );
  }
  return { ids, vectors, texts };
}

/** Scores of every stored vector for one query, then the k-th best for each depth. */
function exactThresholds(query: Float32Array, stored: Float32Array[]): Map<string, number> {
  const scores = new Float32Array(stored.length);
  for (let i = 0; i < stored.length; i++) {
    const v = stored[i];
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d] * query[d];
    scores[i] = dot;
  }
  const sorted = Float32Array.from(scores).sort().reverse();
  const thresholds = new Map<string, number>();
  for (const k of DEPTHS) thresholds.set(String(k), sorted[Math.min(k, sorted.length) - 1]);
  return thresholds;
}

interface Row {
  size: number;
  efConstruction: number;
  maxNeighbors: number;
  efSearch: number;
  buildSeconds: number;
  recall: number[];
}

async function recallOf(
  collection: Collection,
  queries: Float32Array[],
  thresholds: Map<string, number>[],
  byId: Map<string, Float32Array>,
): Promise<number[]> {
  const recall: number[] = [];
  for (const k of DEPTHS) {
    let found = 0;
    for (let start = 0; start < queries.length; start += QUERY_BATCH) {
      const batch = queries.slice(start, start + QUERY_BATCH);
      const result = await collection.query({
        queryEmbeddings: batch.map((q) => Array.from(q)),
        nResults: k,
        include: ['distances'],
      });
      batch.forEach((query, q) => {
        const threshold = thresholds[start + q].get(String(k)) as number;
        for (const id of result.ids[q] ?? []) {
          const v = byId.get(id) as Float32Array;
          let dot = 0;
          for (let d = 0; d < v.length; d++) dot += v[d] * query[d];
          // Float32 rounding: a score equal to the threshold must count as found.
          if (dot >= threshold - 1e-5) found++;
        }
      });
    }
    recall.push(found / (k * queries.length));
  }
  return recall;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rag-bench-hnsw-'));
  const chroma = await startBenchChroma(work);
  const rows: Row[] = [];
  try {
    const embedder = appEmbedder();
    await embedder.ready();
    const largest = Math.max(...SIZES);
    const chunks = realChunks(largest);
    log(`${chunks.length} distinct real chunks`);
    const embedded = await embedder.embedDocuments(chunks);
    const pick = random(7);
    const queryTexts = [
      ...QUESTIONS.map((q) => q.question),
      ...Array.from({ length: Math.max(0, QUERY_COUNT - QUESTIONS.length) }, () =>
        chunks[Math.floor(pick() * chunks.length)].split(/\s+/).slice(0, 12).join(' '),
      ),
    ].slice(0, QUERY_COUNT);
    const queries: Float32Array[] = [];
    for (const text of queryTexts) queries.push(normalized(await embedder.embedQuery(text)));
    const client = chromaClient(chroma.url);
    const maxBatch = Math.min(UPSERT_BATCH, await client.getMaxBatchSize());

    for (const size of SIZES) {
      const corpus = corpusOf(size, chunks, embedded);
      const stored = corpus.vectors;
      const byId = new Map(corpus.ids.map((id, i) => [id, stored[i]]));
      const thresholds = queries.map((q) => exactThresholds(q, stored));
      log(`size ${size}: exact search done (${Math.min(chunks.length, size)} real chunks)`);
      for (const setting of SETTINGS) {
        const { efConstruction, efSearch, maxNeighbors } = setting;
        const name = `hnsw-${size}-${efConstruction}x${efSearch}x${maxNeighbors}`;
        const started = performance.now();
        const collection = await client.createCollection({
          name,
          embeddingFunction: null,
          configuration: hnswConfiguration(setting),
        });
        for (let start = 0; start < size; start += maxBatch) {
          const end = Math.min(size, start + maxBatch);
          await collection.upsert({
            ids: corpus.ids.slice(start, end),
            embeddings: corpus.vectors.slice(start, end).map((v) => Array.from(v)),
            documents: corpus.texts.slice(start, end),
          });
        }
        if ((await collection.count()) !== size) throw new Error(`${name} is incomplete`);
        const buildSeconds = (performance.now() - started) / 1000;
        const recall = await recallOf(collection, queries, thresholds, byId);
        rows.push({ size, ...setting, buildSeconds, recall });
        log(
          `${name}: built in ${buildSeconds.toFixed(0)} s, recall ${recall.map((r) => r.toFixed(4)).join(' / ')}`,
        );
        await client.deleteCollection({ name });
      }
    }
  } finally {
    await chroma.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const header = [
    `| chunks | ef_construction | max_neighbors | ef_search | build s | ${DEPTHS.map((k) => `recall@${k}`).join(' | ')} |`,
    `| --- | --- | --- | --- | --- | ${DEPTHS.map(() => '---').join(' | ')} |`,
  ];
  const table = rows.map(
    (r) =>
      `| ${r.size} | ${r.efConstruction} | ${r.maxNeighbors} | ${r.efSearch} | ${r.buildSeconds.toFixed(0)} | ${r.recall.map((x) => x.toFixed(4)).join(' | ')} |`,
  );
  const text = [
    `<!-- npm run bench:hnsw -- --sizes ${flags.sizes} --queries ${QUERY_COUNT} --settings ${flags.settings} -->`,
    ...header,
    ...table,
    '',
  ].join('\n');
  appendFileSync(flags.out, text);
  process.stdout.write(text);
}

main().catch((error: unknown) => {
  log(String(error instanceof Error ? error.stack : error));
  process.exitCode = 1;
});
