/**
 * The default query of two builds of the API side by side, with the limit (bench/perf/limit-server.ts)
 * as the yardstick, all on one Chroma server and one collection built like bench/perf's. All three
 * servers run at once and are loaded in turn, round after round (c=1, then c=32, by the same
 * bench/perf/load.ts), so a busy spell of a shared machine falls on all of them alike; the
 * medians over rounds are printed with the issue 20 ratios.
 * Usage: npx ts-node --transpile-only bench/perf/compare.ts --base <checkout with dist/>
 *        [--size 1000] [--seconds 3] [--rounds 3]
 * (`--base` is another checkout of the project, built with `npx nest build`, e.g. main's.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findFreePort } from '../../src/vector-store/chroma-server.process';
import { buildCollection } from './fixture';
import {
  appEmbedder,
  MODELS_DIR,
  percentile,
  ROOT,
  startBenchChroma,
  startNodeServer,
  type LoadResult,
  type NodeServer,
} from './shared';

const TS_NODE = join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
const COLLECTION = 'perf-compare';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    size: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
  },
});
if (!flags.base) throw new Error('--base <checkout with dist/> is required');
const BASE = flags.base;
const SIZE = Number(flags.size ?? 1000);
const SECONDS = Number(flags.seconds ?? 3);
const ROUNDS = Number(flags.rounds ?? 3);

/** A `rag/read` token from a build's own CLI, for an API started with `env`. */
function token(root: string, env: Record<string, string>): string {
  const run = spawnSync(
    process.execPath,
    [join(root, 'dist', 'cli'), 'token', '--scope', 'rag/read'],
    {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`${root}/dist/cli token failed: ${run.stderr}`);
  return run.stdout.trim();
}

function load(url: string, path: string, auth: string, connections: number): LoadResult {
  const run = spawnSync(
    process.execPath,
    [
      TS_NODE,
      '--transpile-only',
      join(__dirname, 'load.ts'),
      'http',
      url,
      path,
      auth,
      COLLECTION,
      String(connections),
      String(SECONDS),
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (run.status !== 0) throw new Error(`load ${url}${path} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as LoadResult;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rag-bench-compare-'));
  const servers: NodeServer[] = [];
  const chroma = await startBenchChroma(work);
  try {
    const embedder = appEmbedder();
    await embedder.ready();
    await buildCollection(chroma.url, COLLECTION, SIZE, embedder);

    const api = async (label: string, dir: string, root: string) => {
      const dataDir = join(work, dir);
      mkdirSync(dataDir);
      const env = {
        DATA_DIR: dataDir,
        MODELS_DIR,
        CHROMA_HOST: chroma.url,
        LLM_PROVIDER: 'extractive',
        THROTTLE_LIMIT: '100000000',
        THROTTLE_STRICT_LIMIT: '100000000',
        METRICS_PORT: String(await findFreePort()),
        NODE_ENV: 'development',
      };
      const server = await startNodeServer(
        [join(root, 'dist', 'main.js')],
        env,
        join(work, `${dir}.log`),
      );
      servers.push(server);
      return { label, url: server.url, path: '/chroma/query', auth: token(root, env) };
    };
    const limit = await startNodeServer(
      [TS_NODE, '--transpile-only', join(__dirname, 'limit-server.ts')],
      { CHROMA_URL: chroma.url, MODELS_DIR },
      join(work, 'limit.log'),
    );
    servers.push(limit);
    const targets = [
      { label: 'limit (top 5, plain Chroma query)', url: limit.url, path: '/query', auth: '-' },
      await api(`base (${BASE})`, 'base', BASE),
      await api('this tree', 'tree', ROOT),
    ];

    const results = new Map(
      targets.map((t) => [t.label, { c1: [] as number[], c32: [] as number[] }]),
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        const one = load(target.url, target.path, target.auth, 1);
        const many = load(target.url, target.path, target.auth, 32);
        results.get(target.label)!.c1.push(one.p50);
        results.get(target.label)!.c32.push(many.rps);
        console.log(
          `round ${round} ${target.label}: p50 c=1 ${one.p50.toFixed(2)} ms, c=32 ${many.rps.toFixed(0)} req/s (errors ${one.errors + many.errors})`,
        );
      }
    }
    const median = (values: number[]) => percentile(values, 50);
    const [limitRow] = targets.map((t) => results.get(t.label)!);
    console.log(
      `\n${SIZE} chunks, ${ROUNDS} rounds of ${SECONDS} s per run, medians over rounds\n`,
    );
    console.log('| server | p50 c=1 ms | req/s c=32 | p50 / limit | req/s / limit |');
    console.log('|---|---:|---:|---:|---:|');
    for (const target of targets) {
      const row = results.get(target.label)!;
      console.log(
        `| ${target.label} | ${median(row.c1).toFixed(2)} | ${median(row.c32).toFixed(0)} | ${(median(row.c1) / median(limitRow.c1)).toFixed(2)} | ${(median(row.c32) / median(limitRow.c32)).toFixed(2)} |`,
      );
    }
  } finally {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await chroma.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
