/**
 * Query-path performance of the API against two baselines on the same Chroma server, the same
 * collection and the same embedder (the default local GloVe stack):
 *   limit: the smallest HTTP server that embeds the query and calls the chromadb client
 *          (bench/perf/limit-server.ts), also fetching 100 candidates and reranking them;
 *   peer:  a LangChain.js Chroma retriever behind plain Express (bench/peer);
 *   ours:  POST /chroma/query and /fast_chat (extractive) through `node dist/main.js`, auth on,
 *          with the default RERANK_CANDIDATES=100 and with 0 (no rerank).
 * Every row is a server in its own process, loaded over HTTP by the same separate load
 * generator (bench/perf/load.ts). Also: scale (p50 at the large vs the
 * small collection), API peak RSS, embedded cold start to /health 200, and bench/ingest.
 * Prints the targets' ratios and a MISSED line for each one missed; always exits 0 on figures.
 * Usage: npx ts-node --transpile-only bench/perf/run.ts [--small 1000] [--large 100000]
 *        [--seconds 10] [--ingest 10000] [--cold-starts 3] [--profile] [--no-peer] [--ci]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { findFreePort } from '../../src/vector-store/chroma-server.process';
import { buildCollection } from './fixture';
import { profileTables } from './profile';
import {
  apiToken,
  appEmbedder,
  MODELS_DIR,
  percentile,
  ROOT,
  rssMb,
  startBenchChroma,
  startNodeServer,
  type LoadResult,
  type NodeServer,
} from './shared';

const TS_NODE = join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
const PEER_DIR = join(ROOT, 'bench', 'peer');
const SMALL = 'perf-small';
const LARGE = 'perf-large';
const READY_TIMEOUT_MS = 60_000;
/** The V8 old-space cap (MB) of the extra RSS run; see docs/deployment.md. */
const HEAP_CAP_MB = 192;

const { values: flags } = parseArgs({
  options: {
    small: { type: 'string' },
    large: { type: 'string' },
    seconds: { type: 'string' },
    ingest: { type: 'string' },
    'cold-starts': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-peer': { type: 'boolean', default: false },
    ci: { type: 'boolean', default: false },
  },
});
// --ci: tiny sizes and short runs, so the whole bench takes seconds; figures only.
const defaults = flags.ci
  ? { small: 200, large: 2000, seconds: 2, ingest: 300, coldStarts: 1 }
  : { small: 1000, large: 100_000, seconds: 10, ingest: 10_000, coldStarts: 3 };
const opts = {
  small: Number(flags.small ?? defaults.small),
  large: Number(flags.large ?? defaults.large),
  seconds: Number(flags.seconds ?? defaults.seconds),
  ingest: Number(flags.ingest ?? defaults.ingest),
  coldStarts: Number(flags['cold-starts'] ?? defaults.coldStarts),
};

/** Servers still running: stopped on the way out, whatever happened. */
const running = new Set<NodeServer>();
const log = (line: string) => console.log(line);

/** A shared startNodeServer, remembered for cleanup, with its spawn-to-first-200 time. */
async function startServer(
  args: string[],
  env: Record<string, string>,
  logFile: string,
): Promise<NodeServer & { readyMs: number }> {
  const started = performance.now();
  const server = await startNodeServer(args, env, logFile, READY_TIMEOUT_MS);
  const readyMs = performance.now() - started;
  running.add(server);
  const stop = async () => {
    running.delete(server);
    await server.stop();
  };
  return { ...server, readyMs, stop };
}

/** One load run in its own process (bench/perf/load.ts). */
function load(args: (string | number)[]): LoadResult {
  const run = spawnSync(
    process.execPath,
    [TS_NODE, '--transpile-only', join(__dirname, 'load.ts'), ...args.map(String)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (run.status !== 0) throw new Error(`load ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as LoadResult;
}

/** Installs the peer's own packages once (the root install cannot take LangChain: zod 4). */
function peerInstalled(): boolean {
  if (existsSync(join(PEER_DIR, 'node_modules', '@langchain', 'community'))) return true;
  log('installing the LangChain peer into bench/peer/node_modules ...');
  const npm = spawnSync(
    'npm',
    ['install', '--prefix', PEER_DIR, '--no-audit', '--no-fund', '--legacy-peer-deps'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  return npm.status === 0;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rag-bench-perf-'));
  const lines: string[] = [];
  const say = (line: string) => {
    log(line);
    lines.push(line);
  };
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-build.js')], { stdio: 'inherit' });
  const peer = !flags['no-peer'] && peerInstalled();
  if (!peer) say('peer: skipped (--no-peer, or the LangChain install failed)');

  const chroma = await startBenchChroma(work);
  try {
    const embedder = appEmbedder();
    await embedder.ready();
    for (const [name, size] of [
      [SMALL, opts.small],
      [LARGE, opts.large],
    ] as const) {
      const started = performance.now();
      await buildCollection(chroma.url, name, size, embedder);
      log(
        `built ${name}: ${size} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }

    const dataDir = join(work, 'api');
    mkdirSync(dataDir);
    const apiEnv = {
      DATA_DIR: dataDir,
      MODELS_DIR,
      CHROMA_HOST: chroma.url,
      LLM_PROVIDER: 'extractive',
      // The load comes from one principal; the per-principal throttle would answer 429.
      THROTTLE_LIMIT: '100000000',
      THROTTLE_STRICT_LIMIT: '100000000',
      METRICS_PORT: String(await findFreePort()),
      NODE_ENV: 'development',
    };
    const token = apiToken(apiEnv, 'rag/read');
    const s = opts.seconds;
    const rows: [string, LoadResult][] = [];
    const measure = (label: string, args: (string | number)[]): LoadResult => {
      const result = load(args);
      rows.push([label, result]);
      log(`${label}: ${JSON.stringify(result)}`);
      return result;
    };

    // Every row is an HTTP server in its own process under the same load generator: the
    // limit is the smallest such server (bench/perf/limit-server.ts), with the same embedder
    // and chromadb client, so the rows differ only by what each server does per request.
    const limitServer = (label: string, env: Record<string, string> = {}) =>
      startServer(
        [TS_NODE, '--transpile-only', join(__dirname, 'limit-server.ts')],
        { CHROMA_URL: chroma.url, MODELS_DIR, ...env },
        join(work, `${label}.log`),
      );
    /** c=1 and c=32 against one server, stopped afterwards. */
    const measurePair = async (
      label: string,
      server: Promise<NodeServer>,
      path: string,
      auth = '-',
      collection = SMALL,
    ): Promise<[LoadResult, LoadResult]> => {
      const started = await server;
      try {
        return [
          measure(`${label}, c=1`, ['http', started.url, path, auth, collection, 1, s]),
          measure(`${label}, c=32`, ['http', started.url, path, auth, collection, 32, s]),
        ];
      } finally {
        await started.stop();
      }
    };
    const [limit1, limit32] = await measurePair('limit', limitServer('limit'), '/query');
    // What Chroma alone costs for the rerank's candidate set (RERANK_CANDIDATES=100).
    await measurePair(
      'limit fetching 100 candidates',
      limitServer('limit-100', { LIMIT_CANDIDATES: '100' }),
      '/query',
    );
    // The API's own retrieval without the API: 100 candidates reranked in-process, top 5.
    const [same1, same32] = await measurePair(
      'limit + rerank (same retrieval as ours)',
      limitServer('limit-rerank', { LIMIT_CANDIDATES: '100', LIMIT_RERANK: '1' }),
      '/query',
    );

    let peer1: LoadResult | undefined;
    let peer32: LoadResult | undefined;
    if (peer) {
      [peer1, peer32] = await measurePair(
        'peer (LangChain + Express)',
        startServer(
          [join(PEER_DIR, 'server.js')],
          { CHROMA_URL: chroma.url, MODELS_DIR },
          join(work, 'peer.log'),
        ),
        '/query',
      );
    }

    const api = await startServer([join(ROOT, 'dist', 'main.js')], apiEnv, join(work, 'api.log'));
    let ours1: LoadResult, ours32: LoadResult, oursLarge: LoadResult, rss: number;
    // Before any query: what boot alone holds (the word vectors, Nest, the clients).
    const bootRss = rssMb(api.pid, 'VmRSS');
    try {
      const http = (path: string, collection: string, c: number) => [
        'http',
        api.url,
        path,
        token,
        collection,
        c,
        s,
      ];
      ours1 = measure('ours /chroma/query, c=1', http('/chroma/query', SMALL, 1));
      ours32 = measure('ours /chroma/query, c=32', http('/chroma/query', SMALL, 32));
      measure('ours /fast_chat extractive, c=1', http('/fast_chat', SMALL, 1));
      measure('ours /fast_chat extractive, c=32', http('/fast_chat', SMALL, 32));
      oursLarge = measure(
        `ours /chroma/query, ${opts.large} chunks, c=1`,
        http('/chroma/query', LARGE, 1),
      );
      measure(`ours /chroma/query, ${opts.large} chunks, c=32`, http('/chroma/query', LARGE, 32));
      rss = rssMb(api.pid, 'VmHWM');
    } finally {
      await api.stop();
    }
    const large = await limitServer('limit-large');
    let limitLarge: LoadResult;
    try {
      limitLarge = measure(`limit, ${opts.large} chunks, c=1`, [
        'http',
        large.url,
        '/query',
        '-',
        LARGE,
        1,
        s,
      ]);
    } finally {
      await large.stop();
    }

    // Equal work to the peer and the limit: top 5 straight from Chroma, no rerank.
    const [bare1, bare32] = await measurePair(
      'ours /chroma/query RERANK_CANDIDATES=0',
      startServer(
        [join(ROOT, 'dist', 'main.js')],
        { ...apiEnv, RERANK_CANDIDATES: '0' },
        join(work, 'api-norerank.log'),
      ),
      '/chroma/query',
      token,
    );

    // The same c=32 load on a heap capped as a deployment may cap it: RSS is mostly garbage V8
    // has not collected yet, so the cap shows what the API needs rather than what it may take.
    const capped = await startServer(
      [`--max-old-space-size=${HEAP_CAP_MB}`, join(ROOT, 'dist', 'main.js')],
      apiEnv,
      join(work, 'api-capped.log'),
    );
    let capped32: LoadResult, cappedRss: number;
    try {
      capped32 = measure(`ours /chroma/query, --max-old-space-size=${HEAP_CAP_MB}, c=32`, [
        'http',
        capped.url,
        '/chroma/query',
        token,
        SMALL,
        32,
        s,
      ]);
      cappedRss = rssMb(capped.pid, 'VmHWM');
    } finally {
      await capped.stop();
    }

    // Cold start, embedded strategy: vectors prepared (MODELS_DIR), one boot to create the
    // data folder and keys, then timed boots on it.
    const coldDir = join(work, 'cold');
    mkdirSync(coldDir);
    const coldEnv = { DATA_DIR: coldDir, MODELS_DIR, METRICS_PORT: '0', CHROMA_HOST: '' };
    const boots: number[] = [];
    for (let i = 0; i <= opts.coldStarts; i++) {
      const server = await startServer(
        [join(ROOT, 'dist', 'main.js')],
        coldEnv,
        join(work, `cold-${i}.log`),
      );
      if (i > 0) boots.push(server.readyMs);
      await server.stop();
    }
    const cold = percentile(boots, 50);

    let profile: string[] | undefined;
    if (flags.profile) {
      // At equal work (no rerank), so the profile shows the request pipeline, not the rerank.
      const dir = join(work, 'profile');
      const server = await startServer(
        ['--cpu-prof', '--cpu-prof-dir', dir, join(ROOT, 'dist', 'main.js')],
        { ...apiEnv, RERANK_CANDIDATES: '0' },
        join(work, 'api-profile.log'),
      );
      let served: LoadResult;
      try {
        served = load(['http', server.url, '/chroma/query', token, SMALL, 32, s]);
      } finally {
        await server.stop();
      }
      const [file] = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
      profile = profileTables(join(dir, file), served.requests, 15);
    }

    const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
    say(`\n## Results ${date} UTC (${opts.small} / ${opts.large} chunks, ${s} s per run)\n`);
    say('| run | req/s | p50 ms | p99 ms | requests | errors |');
    say('|---|---:|---:|---:|---:|---:|');
    for (const [label, r] of rows)
      say(
        `| ${label} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.requests} | ${r.errors} |`,
      );
    say(
      `\nAPI peak RSS (VmHWM) under load: ${rss.toFixed(0)} MB (after boot: ${bootRss.toFixed(0)} MB)`,
    );
    say(
      `API peak RSS with --max-old-space-size=${HEAP_CAP_MB}: ${cappedRss.toFixed(0)} MB at ${capped32.rps.toFixed(0)} req/s (c=32; uncapped ${ours32.rps.toFixed(0)} req/s)`,
    );
    say(
      `Cold start to /health 200, embedded, vectors prepared: median ${(cold / 1000).toFixed(2)} s of [${boots.map((b) => (b / 1000).toFixed(2)).join(', ')}]`,
    );
    say(`limit at ${opts.large} chunks: p50 ${limitLarge.p50.toFixed(2)} ms\n`);

    const target = (label: string, value: number, ok: boolean, bound: string) =>
      say(`${ok ? 'met   ' : 'MISSED'} ${label}: ${value.toFixed(2)} (target ${bound})`);
    // Issue 20's targets: the default query against the plain Chroma query of the same top_k,
    // and ours at equal work (no rerank) against the LangChain peer.
    target('p50 c=1 ours / limit', ours1.p50 / limit1.p50, ours1.p50 <= 1.5 * limit1.p50, '<= 1.5');
    target(
      'req/s c=32 ours / limit',
      ours32.rps / limit32.rps,
      ours32.rps >= 0.6 * limit32.rps,
      '>= 0.6',
    );
    say(`       p50 c=1 ours RERANK_CANDIDATES=0 / limit: ${(bare1.p50 / limit1.p50).toFixed(2)}`);
    say(
      `       req/s c=32 ours RERANK_CANDIDATES=0 / limit: ${(bare32.rps / limit32.rps).toFixed(2)}`,
    );
    say(`       p50 c=1 ours / limit + rerank: ${(ours1.p50 / same1.p50).toFixed(2)}`);
    say(`       req/s c=32 ours / limit + rerank: ${(ours32.rps / same32.rps).toFixed(2)}`);
    if (peer1 && peer32) {
      target(
        'req/s c=32 ours RERANK_CANDIDATES=0 / peer',
        bare32.rps / peer32.rps,
        bare32.rps >= peer32.rps,
        '>= 1.0',
      );
      target(
        'p50 c=1 ours RERANK_CANDIDATES=0 / peer',
        bare1.p50 / peer1.p50,
        bare1.p50 <= 1.1 * peer1.p50,
        '<= 1.1',
      );
      say(`       req/s c=32 ours (default) / peer: ${(ours32.rps / peer32.rps).toFixed(2)}`);
    }
    target(
      `p50 c=1 ours ${opts.large} / ${opts.small} chunks`,
      oursLarge.p50 / ours1.p50,
      oursLarge.p50 <= 2 * ours1.p50,
      '<= 2',
    );
    target('API peak RSS MB', rss, rss <= 350, '<= 350');
    target(
      `API peak RSS MB, heap capped at ${HEAP_CAP_MB} MB`,
      cappedRss,
      cappedRss <= 350,
      '<= 350',
    );
    target('cold start s', cold / 1000, cold <= 3000, '<= 3');
    if (profile)
      say(`\nProfile, ours /chroma/query RERANK_CANDIDATES=0, c=32:\n${profile.join('\n')}`);

    log(`\n## Ingest (bench/ingest, ${opts.ingest} chunks)`);
    const ingest = spawnSync(
      process.execPath,
      [TS_NODE, '--transpile-only', join(ROOT, 'bench', 'ingest', 'run.ts'), String(opts.ingest)],
      { cwd: ROOT, encoding: 'utf8' },
    );
    say(ingest.status === 0 ? ingest.stdout.trim() : `bench/ingest failed: ${ingest.stderr}`);

    const results = join(ROOT, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, `perf-${date.replace(/[ :]/g, '-')}.md`), `${lines.join('\n')}\n`);
  } finally {
    await Promise.allSettled([...running].map((server) => server.stop()));
    await chroma.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
