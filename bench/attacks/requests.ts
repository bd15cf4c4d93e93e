import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

/** One answer: its status (0: none, i.e. timed out, reset or still open), time and size. */
export interface Outcome {
  status: number;
  ms: number;
  bytes: number;
  /** A write (update, ingest): a refused one must leave the store as it was. */
  write: boolean;
}

export interface AttackContext {
  url: string;
  /** A real admin token for `sub`; each attack uses its own so throttles do not carry over. */
  bearer(sub: string): Promise<string>;
  record(outcome: Outcome): void;
}

const REQUEST_TIMEOUT_MS = 60_000;
export const MB = 1_000_000;

interface Send {
  method?: string;
  path: string;
  authorization?: string;
  json?: unknown;
  body?: FormData | string;
  contentType?: string;
  write: boolean;
}

/** One request through fetch; never throws: no answer within a minute records status 0. */
export async function send(ctx: AttackContext, { method = 'POST', ...r }: Send): Promise<Outcome> {
  const started = Date.now();
  const headers: Record<string, string> = {};
  if (r.authorization) headers.authorization = r.authorization;
  if (r.json !== undefined) headers['content-type'] = 'application/json';
  if (r.contentType) headers['content-type'] = r.contentType;
  let outcome: Outcome;
  try {
    const response = await fetch(`${ctx.url}${r.path}`, {
      method,
      headers,
      body: r.json !== undefined ? JSON.stringify(r.json) : r.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const bytes = (await response.arrayBuffer()).byteLength;
    outcome = { status: response.status, ms: Date.now() - started, bytes, write: r.write };
  } catch {
    outcome = { status: 0, ms: Date.now() - started, bytes: 0, write: r.write };
  }
  ctx.record(outcome);
  return outcome;
}

/** Runs `task(i)` for i < count, `concurrency` at a time. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
  return results;
}

export const upload = (collection: string, name: string, type: string, bytes: Buffer): FormData => {
  const form = new FormData();
  form.append('collection', collection);
  form.append('files', new Blob([new Uint8Array(bytes)], { type }), name);
  return form;
};

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/**
 * Multipart upload of `files` zero-filled files of `fileMb` MB, sent with `Transfer-Encoding:
 * chunked` (no Content-Length), honouring backpressure; stops writing once the API answers.
 */
export function chunkedUpload(
  ctx: AttackContext,
  authorization: string,
  files: number,
  fileMb: number,
): Promise<Outcome> {
  const boundary = `attack${Date.now()}`;
  const started = Date.now();
  return new Promise((resolve) => {
    let answered = false;
    const done = (status: number, bytes = 0) => {
      if (answered) return;
      answered = true;
      const outcome = { status, ms: Date.now() - started, bytes, write: true };
      ctx.record(outcome);
      resolve(outcome);
    };
    const req = httpRequest(
      `${ctx.url}/ingest/jobs`,
      {
        method: 'POST',
        headers: {
          authorization,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'transfer-encoding': 'chunked',
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => done(res.statusCode ?? 0, bytes));
        res.on('error', () => done(res.statusCode ?? 0, bytes));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(0));
    const write = (data: string | Buffer): Promise<void> =>
      req.write(data) ? Promise.resolve() : new Promise((ok) => req.once('drain', ok));
    void (async () => {
      const zeros = Buffer.alloc(MB);
      await write(
        `--${boundary}\r\nContent-Disposition: form-data; name="collection"\r\n\r\nattack-chunked\r\n`,
      );
      for (let f = 0; f < files && !answered && !req.destroyed; f++) {
        await write(
          `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="part${f}.txt"\r\nContent-Type: text/plain\r\n\r\n`,
        );
        for (let m = 0; m < fileMb && !answered && !req.destroyed; m++) {
          await write(zeros);
        }
        await write('\r\n');
      }
      if (!req.destroyed) req.end(`--${boundary}--\r\n`);
    })().catch(() => req.destroy());
  });
}

/** Opens a connection and sends a request's headers one byte a second until `ms` passed. */
export function slowClient(
  port: number,
  ms: number,
): Promise<{ closedByServer: boolean; got: string }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let got = '';
    let ended = false;
    const finish = (closedByServer: boolean) => {
      if (ended) return;
      ended = true;
      clearInterval(drip);
      clearTimeout(stop);
      socket.destroy();
      resolve({ closedByServer, got });
    };
    socket.on('data', (chunk: Buffer) => (got += chunk.toString()));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => socket.write('POST /chroma/query HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    const drip = setInterval(() => socket.writable && socket.write('a'), 1000);
    const stop = setTimeout(() => finish(false), ms);
  });
}
