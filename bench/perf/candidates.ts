/**
 * The cost of the rerank's candidates, stage by stage: Chroma's query over loopback REST with
 * n_results 5 and 100 and each include set, fetching texts by id, and the API-side CPU of
 * reading 100 candidates and reranking them (the service's ResultRanker, its term cache warm).
 * One Chroma server, one collection built like bench/perf's (the app's embedder and chunk
 * metadata); every variant is timed in interleaved rounds over the 60 bench/retrieval questions,
 * so a busy spell of the shared machine falls on all of them alike. Prints a markdown table.
 * Usage: npx ts-node --transpile-only bench/perf/candidates.ts [--size 1000] [--rounds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_RERANK_OPTIONS, LexicalReranker } from '../../src/documents/lexical-reranker';
import { ResultRanker } from '../../src/documents/result-ranker';
import { QUESTIONS } from '../retrieval/questions';
import { buildCollection } from './fixture';
import { appEmbedder, chromaClient, percentile, startBenchChroma, TOP_K } from './shared';

const { values: flags } = parseArgs({
  options: { size: { type: 'string' }, rounds: { type: 'string' } },
});
const SIZE = Number(flags.size ?? 1000);
const ROUNDS = Number(flags.rounds ?? 10);
const NAME = 'candidates';
const CANDIDATES = 100;
const CONCURRENCY = 16;

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One POST (or, without a body, GET) on a keep-alive socket; answers the body's text. */
function send(url: URL, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode === 200) resolve(text);
          else reject(new Error(`${response.statusCode}: ${text}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Variant {
  label: string;
  /** Sends one question's request(s); answers the bytes received. */
  run: (question: number) => Promise<number>;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rag-bench-candidates-'));
  const chroma = await startBenchChroma(work);
  try {
    const embedder = appEmbedder();
    await embedder.ready();
    await buildCollection(chroma.url, NAME, SIZE, embedder);
    const collection = await chromaClient(chroma.url).getCollection({ name: NAME });
    const url = new URL(chroma.url);
    const base = `/api/v2/tenants/${collection.tenant}/databases/${collection.database}/collections/${collection.id}`;
    const embeddings = await Promise.all(QUESTIONS.map((q) => embedder.embedQuery(q.question)));
    const query = (i: number, nResults: number, include: string[]) =>
      send(
        url,
        `${base}/query`,
        JSON.stringify({ query_embeddings: [embeddings[i]], n_results: nResults, include }),
      );
    // The ids each question's 100 candidates have, for the get-by-id variants.
    const candidateIds = await Promise.all(
      QUESTIONS.map(
        async (_, i) => (JSON.parse(await query(i, CANDIDATES, [])) as { ids: string[][] }).ids[0],
      ),
    );
    const get = (ids: string[], include: string[]) =>
      send(url, `${base}/get`, JSON.stringify({ ids, include }));

    const full = ['documents', 'metadatas', 'distances'];
    // The collection by name, as a query would read a write token kept in its metadata.
    const describe = () =>
      send(
        url,
        `/api/v2/tenants/${collection.tenant}/databases/${collection.database}/collections/${NAME}`,
      );
    const variants: Variant[] = [
      { label: 'get the collection by name', run: async () => (await describe()).length },
      {
        label: `query n_results ${CANDIDATES}, include [distances] + the collection, at once`,
        run: async (i) => {
          const [found, described] = await Promise.all([
            query(i, CANDIDATES, ['distances']),
            describe(),
          ]);
          return found.length + described.length;
        },
      },
    ];
    for (const n of [TOP_K, CANDIDATES]) {
      for (const include of [
        [],
        ['distances'],
        ['distances', 'documents'],
        ['distances', 'metadatas'],
        full,
      ]) {
        variants.push({
          label: `query n_results ${n}, include [${include.join(', ')}]`,
          run: async (i) => (await query(i, n, include)).length,
        });
      }
    }
    for (const count of [TOP_K, 20, CANDIDATES]) {
      variants.push({
        label: `get ${count} ids, include [documents]`,
        run: async (i) => (await get(candidateIds[i].slice(0, count), ['documents'])).length,
      });
    }
    variants.push({
      label: `get ${TOP_K} ids, include [documents, metadatas]`,
      run: async (i) =>
        (await get(candidateIds[i].slice(0, TOP_K), ['documents', 'metadatas'])).length,
    });

    const times = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    const bytes = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        for (let i = 0; i < QUESTIONS.length; i++) {
          const started = performance.now();
          const received = await variant.run(i);
          times.get(variant.label)!.push(performance.now() - started);
          bytes.set(variant.label, received);
        }
      }
    }

    // Throughput with CONCURRENCY requests in flight: what a loaded API asks of Chroma.
    const throughput = new Map<string, number>();
    for (const variant of variants) {
      let next = 0;
      const total = QUESTIONS.length * ROUNDS;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < total) await variant.run(next++ % QUESTIONS.length);
        }),
      );
      throughput.set(variant.label, total / ((performance.now() - started) / 1000));
    }

    // API-side CPU of 100 full candidates: parse, map to records, rerank (cache warm after round 1).
    const answers = await Promise.all(QUESTIONS.map((_, i) => query(i, CANDIDATES, full)));
    const ranker = new ResultRanker(new LexicalReranker(DEFAULT_RERANK_OPTIONS, 10_000), 2);
    const cpu = { parse: [] as number[], rank: [] as number[], rankCold: [] as number[] };
    for (let round = 0; round <= ROUNDS; round++) {
      QUESTIONS.forEach((q, i) => {
        let started = performance.now();
        const parsed = JSON.parse(answers[i]) as {
          ids: string[][];
          documents: string[][];
          metadatas: Record<string, unknown>[][];
          distances: number[][];
        };
        const hits = parsed.ids[0].map((id, k) => ({
          id,
          text: parsed.documents[0][k],
          metadata: parsed.metadatas[0][k],
          score: 1 - parsed.distances[0][k],
        }));
        if (round > 0) cpu.parse.push(performance.now() - started);
        started = performance.now();
        ranker.rank(q.question, hits, TOP_K);
        (round > 0 ? cpu.rank : cpu.rankCold).push(performance.now() - started);
      });
    }

    const ms = (values: number[], p: number) => percentile(values, p).toFixed(2);
    console.log(
      `\n${SIZE} chunks, ${ROUNDS} rounds × ${QUESTIONS.length} questions, sequential, one variant at a time per round\n`,
    );
    console.log(`| call | p50 ms | p90 ms | calls/s, ${CONCURRENCY} in flight | response bytes |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const variant of variants) {
      const values = times.get(variant.label)!;
      console.log(
        `| ${variant.label} | ${ms(values, 50)} | ${ms(values, 90)} | ${throughput.get(variant.label)!.toFixed(0)} | ${bytes.get(variant.label)} |`,
      );
    }
    console.log('\n| API-side CPU, 100 candidates | p50 ms | p90 ms |');
    console.log('|---|---:|---:|');
    console.log(`| JSON.parse + records | ${ms(cpu.parse, 50)} | ${ms(cpu.parse, 90)} |`);
    console.log(`| rank, term cache cold | ${ms(cpu.rankCold, 50)} | ${ms(cpu.rankCold, 90)} |`);
    console.log(`| rank, term cache warm | ${ms(cpu.rank, 50)} | ${ms(cpu.rank, 90)} |`);
  } finally {
    agent.destroy();
    await chroma.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
