import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake upstream received: tests assert on bodies, headers, timing and cancellation. */
export interface UpstreamRequest<Body> {
  path: string;
  headers: IncomingMessage['headers'];
  body: Body;
  /** When the request body had arrived (ms since the epoch). */
  at: number;
  /** Resolves with true when the client closed the connection before the answer ended. */
  closedEarly: Promise<boolean>;
}

/** Answers a request; a handler that never writes makes the server hang. */
export type UpstreamHandler<Body> = (req: IncomingMessage, body: Body, res: ServerResponse) => void;

export interface FakeUpstream<Body> {
  url: string;
  requests: UpstreamRequest<Body>[];
  /** Handlers are used in order; the last one repeats. */
  reply: (...handlers: UpstreamHandler<Body>[]) => void;
  close: () => Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for an outside JSON API (OpenAI, Bedrock):
 * `fallback` answers until `reply` queues other handlers.
 */
export async function startFakeUpstream<Body>(
  fallback: UpstreamHandler<Body>,
): Promise<FakeUpstream<Body>> {
  let queue: UpstreamHandler<Body>[] = [];
  const requests: UpstreamRequest<Body>[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    const closedEarly = new Promise<boolean>((resolve) =>
      res.once('close', () => resolve(!res.writableFinished)),
    );
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = (raw ? JSON.parse(raw) : {}) as Body;
      requests.push({
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
        closedEarly,
      });
      (queue.length > 1 ? queue.shift()! : (queue[0] ?? fallback))(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...handlers) => (queue = handlers),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
