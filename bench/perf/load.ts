/**
 * One load run, as its own process so the load generator never shares an event loop with the
 * server it measures. Prints one LoadResult as JSON.
 *   load.ts http <url> <path> <token|-> <collection> <connections> <seconds>
 *   (1 connection: a sequential fetch loop, timed with sub-ms precision; more: autocannon,
 *   whose histogram has 1 ms resolution). The same for every row: API, peer and limit.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { QUESTIONS } from '../retrieval/questions';
import { percentile, TOP_K, type LoadResult } from './shared';

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

async function http([, ...argv]: string[]): Promise<LoadResult> {
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

http(process.argv.slice(2)).then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
