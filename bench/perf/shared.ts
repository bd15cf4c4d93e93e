import { ChromaClient } from 'chromadb';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEnv } from '../../src/config/env';
import { embeddingsConfigFrom } from '../../src/embeddings/embeddings.config';
import { CachingEmbedder } from '../../src/embeddings/caching.embedder';
import { DEFAULT_GLOVE_FEATURES, GloveEmbedder } from '../../src/embeddings/glove.embedder';
import { GloveVectors } from '../../src/embeddings/glove-vectors';
import { ChromaServerProcess, findFreePort } from '../../src/vector-store/chroma-server.process';

export const ROOT = join(__dirname, '..', '..');
export const MODELS_DIR = join(ROOT, 'node_modules', '.cache', 'rag-test-models');
export const TOP_K = 5;

/** A Chroma server (the chromadb package's binary) storing under `work`/chroma, on a free port. */
export async function startBenchChroma(work: string): Promise<ChromaServerProcess> {
  return ChromaServerProcess.start(join(work, 'chroma'), await findFreePort(), 60_000);
}

/** The app's default embedder stack (GloVe behind the query cache), with the app's defaults. */
export function appEmbedder(): CachingEmbedder {
  const embeddings = embeddingsConfigFrom(parseEnv({ MODELS_DIR }));
  const glove = new GloveEmbedder((maxWords) => GloveVectors.load(MODELS_DIR, { maxWords }), {
    ...DEFAULT_GLOVE_FEATURES,
    lexicalDimensions: embeddings.lexicalDimensions,
    vocabulary: embeddings.gloveVocabulary,
  });
  return new CachingEmbedder(glove, {
    cacheSize: embeddings.cacheSize,
    batchSize: embeddings.batchSize,
  });
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
};

/** What one load run measured; latencies in ms. */
export interface LoadResult {
  connections: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/** A chromadb client for a loopback server URL. */
export function chromaClient(url: string): ChromaClient {
  const { hostname, port } = new URL(url);
  return new ChromaClient({ host: hostname, port: Number(port), ssl: false });
}

/** The built API (`node dist/main.js`), or any Node server answering /health, as its own process. */
export interface NodeServer {
  url: string;
  pid: number;
  /** SIGTERM, then waits for the exit; the output goes to the log file. */
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` on a free loopback port (PORT) and waits until /health answers 200; its
 * output is written to `logFile` when it stops or fails to start.
 */
export async function startNodeServer(
  args: string[],
  env: Record<string, string>,
  logFile: string,
  readyTimeoutMs = 60_000,
): Promise<NodeServer> {
  const port = await findFreePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => out.push(chunk));
  const flush = () => writeFileSync(logFile, Buffer.concat(out));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    flush();
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      flush();
      throw new Error(`${args.join(' ')} exited (${child.exitCode}); output in ${logFile}`);
    }
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${url}/health did not answer 200 in ${readyTimeoutMs} ms; see ${logFile}`);
    }
    await sleep(20);
  }
  return { url, pid: child.pid!, stop };
}

/** VmHWM (peak) or VmRSS (current) of a live process, in MB. */
export function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Number(match[1]) / 1024 : NaN;
}

/** A token from the local issuer of an API started with `env` (its keys live in DATA_DIR). */
export function apiToken(env: Record<string, string>, scope: string): string {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli'), 'token', '--scope', scope], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`dist/cli token failed: ${run.stderr}`);
  return run.stdout.trim();
}
