import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SlowEmbedderOptions {
  /** Time each request takes; requests are served one at a time. */
  delayMs: number;
  /** Vector size when the request does not ask for one. */
  dimensions: number;
}

/** A unit vector drawn from the text's hash: the same text always gets the same vector. */
function hashVector(text: string, dimensions: number): number[] {
  let state = createHash('sha256').update(text).digest().readUInt32LE(0);
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const vector = Array.from({ length: dimensions }, next);
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}

async function readJson(
  request: IncomingMessage,
): Promise<{ input?: unknown; dimensions?: number }> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as { input?: unknown };
}

/**
 * An OpenAI-compatible `POST /v1/embeddings` with a fixed capacity: one request at a time, each
 * taking `delayMs`, like a self-hosted model server. Its throughput is texts-per-request /
 * delay whatever the concurrency, so an ingest that keeps it busy reaches that rate and one
 * that leaves it idle between requests falls short.
 */
export async function startSlowEmbedder(
  options: SlowEmbedderOptions,
): Promise<{ url: string; served(): number; close(): Promise<void> }> {
  let queue = Promise.resolve();
  let served = 0;
  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
      response.writeHead(404).end();
      return;
    }
    const body = readJson(request);
    // Served in arrival order, one after the other.
    queue = queue.then(async () => {
      try {
        const { input, dimensions } = await body;
        const texts = typeof input === 'string' ? [input] : (input as string[]);
        await sleep(options.delayMs);
        served += 1;
        const size = dimensions ?? options.dimensions;
        const data = texts.map((text, index) => ({
          object: 'embedding',
          index,
          embedding: hashVector(text, size),
        }));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'list', data, model: 'bench-hash' }));
      } catch (error) {
        response.writeHead(400).end(String(error));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Requests answered so far: times `delayMs`, how long it was busy. */
    served: () => served,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
