/**
 * One load run, as its own process so the load generator never shares an event loop with the
 * server it measures. Prints one LoadResult as JSON.
 *   http:  load.ts http <url> <path> <token|-> <collection> <connections> <seconds>
 *          (1 connection: a sequential fetch loop, timed with sub-ms precision;
 *           more: autocannon, whose histogram has 1 ms resolution)
 *   limit: load.ts limit <chromaUrl> <collection> <connections> <seconds> [nResults=TOP_K] [rerank]
 *          (no HTTP API: embeds each query in-process and calls the chromadb client itself;
 *           with `rerank`, reorders the nResults candidates with the service's LexicalReranker
 *           and keeps the top TOP_K, the same retrieval as the API's)
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { readEnv } from '../../src/config/env';
import { documentsConfigFrom } from '../../src/documents/documents.config';
import { DEFAULT_RERANK_OPTIONS, LexicalReranker } from '../../src/documents/lexical-reranker';
import { QUESTIONS } from '../retrieval/questions';
import { appEmbedder, chromaClient, percentile, TOP_K, type LoadResult } from './shared';

const WARMUP_REQUESTS = 20;
const question = (i: number) => QUESTIONS[i % QUESTIONS.length].question;

/** Runs `connections` closed loops of `call` for `seconds`; exact latency percentiles. */
async function closedLoops(
  connections: number,
  seconds: number,
  call: (i: number) => Promise<void>,
): Promise<LoadResult> {
  for (let i = 0; i < WARMUP_REQUESTS; i++) await call(i);
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      try {
        await call(issued++);
        latencies.push(performance.now() - begin);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  return {
    connections,
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

function body(path: string, collection: string, i: number): string {
  return JSON.stringify(
    path === '/fast_chat'
      ? { collection, question: question(i) }
      : { collection, query: question(i), top_k: TOP_K },
  );
}

async function http(argv: string[]): Promise<LoadResult> {
  const [url, path, token, collection, connections, seconds] = argv;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== '-') headers.authorization = `Bearer ${token}`;
  if (Number(connections) === 1) {
    return closedLoops(1, Number(seconds), async (i) => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers,
        body: body(path, collection, i),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    });
  }
  let i = 0;
  const result = await autocannon({
    url: `${url}${path}`,
    connections: Number(connections),
    duration: Number(seconds),
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (request) => ({ ...request, body: body(path, collection, i++) }),
      },
    ],
  });
  return {
    connections: Number(connections),
    requests: result['2xx'],
    errors: result.errors + result.non2xx,
    rps: result['2xx'] / (result.duration || Number(seconds)),
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

async function limit(argv: string[]): Promise<LoadResult> {
  const [chromaUrl, name, connections, seconds, nResults = String(TOP_K), mode] = argv;
  const { rerankCacheEntries } = documentsConfigFrom(readEnv());
  const reranker = new LexicalReranker(DEFAULT_RERANK_OPTIONS, rerankCacheEntries);
  const embedder = appEmbedder();
  await embedder.ready();
  const collection = await chromaClient(chromaUrl).getCollection({
    name,
  });
  return closedLoops(Number(connections), Number(seconds), async (i) => {
    const embedding = await embedder.embedQuery(question(i));
    const found = await collection.query({
      queryEmbeddings: [embedding],
      nResults: Number(nResults),
      include: ['documents', 'metadatas', 'distances'],
    });
    if (mode === 'rerank') {
      const candidates = found.ids[0].map((id, k) => ({
        id,
        text: found.documents[0][k] ?? '',
        metadata: found.metadatas[0][k] ?? {},
        score: 1 - (found.distances[0][k] ?? 1),
      }));
      const top = reranker.rerank(question(i), candidates).slice(0, TOP_K);
      if (top.length === 0) throw new Error(`no results for question ${i}`);
    }
  });
}

const [mode, ...rest] = process.argv.slice(2);
(mode === 'limit' ? limit(rest) : http(rest)).then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
