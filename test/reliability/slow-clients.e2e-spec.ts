import { get, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';
import { PROBE_STALL_MS } from '../../bench/attacks/harness';

const HEADERS_TIMEOUT_MS = 1000;
const MAX_CONNECTIONS = 4;

/** One GET on a fresh connection (no keep-alive pool holding a slot): status and duration. */
const probe = (port: number, path = '/health/live'): Promise<{ status: number; ms: number }> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path} took more than 3 s`)));
    req.on('error', reject);
  });

const opened = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });

/** Resolves with what the server sent before closing, and when. */
const closedBy = (socket: Socket): Promise<{ received: string; at: number }> =>
  new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ received, at: Date.now() }));
  });

const connectionCount = (server: Server): Promise<number> =>
  new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

describe('slow clients (issue 17, finding 11)', () => {
  let app: TestApp;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    app = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      SERVER_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      SERVER_REQUEST_TIMEOUT_MS: '2000',
      SERVER_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    });
    await app.app.listen(0, '127.0.0.1');
    server = app.app.getHttpServer() as Server;
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => app?.close());

  it('closes a client trickling its headers after the headers timeout, while /health/live answers', async () => {
    const slow = await opened(port);
    const started = Date.now();
    const closed = closedBy(slow);
    slow.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const drip = setInterval(() => slow.writable && slow.write('a'), 200);
    const latencies: number[] = [];
    try {
      let done = false;
      void closed.then(() => (done = true));
      while (!done && Date.now() - started < 8000) {
        const { status, ms } = await probe(port);
        expect(status).toBe(200);
        latencies.push(ms);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(done).toBe(true);
      const { received, at } = await closed;
      const lasted = at - started;
      // Node answers 408 and closes; the check runs every quarter of the timeout.
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      expect(lasted).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
      expect(lasted).toBeLessThan(HEADERS_TIMEOUT_MS * 2.5);
      expect(latencies.length).toBeGreaterThan(0);
      // A stall, not a latency target: the attack suite's bound (issue 17).
      expect(Math.max(...latencies)).toBeLessThan(PROBE_STALL_MS);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
  });

  it(`refuses connections beyond SERVER_MAX_CONNECTIONS (${MAX_CONNECTIONS})`, async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) held.push(await opened(port));
      const deadline = Date.now() + 2000;
      while ((await connectionCount(server)) < MAX_CONNECTIONS && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await connectionCount(server)).toBe(MAX_CONNECTIONS);
      const extra = await opened(port);
      const closed = closedBy(extra);
      extra.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n');
      expect((await closed).received).toBe('');
    } finally {
      for (const socket of held) socket.destroy();
    }
    // The slots free up with the connections.
    const deadline = Date.now() + 2000;
    while ((await connectionCount(server)) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await probe(port)).status).toBe(200);
  });
});
