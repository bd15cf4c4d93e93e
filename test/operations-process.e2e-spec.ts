import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { tokenFromArgs } from '../src/cli/token';
import { authConfigFrom } from '../src/auth/auth.config';
import { parseEnv } from '../src/config/env';
import { findFreePort } from '../src/vector-store/chroma-server.process';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { waitFor } from './support/processes';
import { sharedChromaUrl, TEST_MODELS_DIR } from './support/test-app';

const ROOT = join(__dirname, '..');
const SERVER = 2;

/** An HTTP proxy in front of Chroma that can hold requests, and shows what headers reached it. */
class SlowChromaProxy {
  delayMs = 0;
  readonly headers: IncomingHttpHeaders[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<SlowChromaProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new SlowChromaProxy(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    server.on('request', (incoming, outgoing) => {
      proxy.headers.push(incoming.headers);
      setTimeout(() => {
        const upstream = httpRequest(
          new URL(incoming.url ?? '/', target),
          { method: incoming.method, headers: incoming.headers },
          (response) => {
            outgoing.writeHead(response.statusCode ?? 502, response.headers);
            response.pipe(outgoing);
          },
        );
        upstream.on('error', () => outgoing.writeHead(502).end());
        incoming.pipe(upstream);
      }, proxy.delayMs);
    });
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** `node dist/main.js` as production runs it, with tracing to the local receiver. */
describe('operations: the built API as a process', () => {
  let receiver: OtlpReceiver;
  let proxy: SlowChromaProxy;
  let api: ChildProcess;
  let exited: Promise<[number | null, NodeJS.Signals | null]>;
  let baseUrl: string;
  let bearer: string;
  let dataDir: string;
  let stderr = '';

  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    // Builds dist/ only when missing or older than src/.
    execFileSync('node', ['scripts/ensure-build.js'], { cwd: ROOT, stdio: 'ignore' });
    receiver = await OtlpReceiver.start();
    proxy = await SlowChromaProxy.start(sharedChromaUrl());
    dataDir = mkdtempSync(join(tmpdir(), 'rag-ops-'));
    const port = await findFreePort();
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      MODELS_DIR: TEST_MODELS_DIR,
      CHROMA_HOST: proxy.url,
      METRICS_PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: 'rag-api-e2e',
      // Export spans every 100 ms instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    // Signed before the API starts, so both use the key pair this creates in DATA_DIR.
    bearer = `Bearer ${tokenFromArgs(['--scope', 'rag/admin'], authConfigFrom(parseEnv(env)))}`;
    baseUrl = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, env, stdio: 'pipe' });
    api.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    exited = once(api, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await waitFor(async () => {
      const live = await fetch(`${baseUrl}/health/live`).catch(() => undefined);
      return live?.status === 200;
    }, 60_000);
  }, 180_000);

  afterAll(async () => {
    if (api && api.exitCode === null && api.signalCode === null) {
      api.kill('SIGKILL');
      await exited;
    }
    await proxy?.close();
    await receiver?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports spans for the request, its embedding and its Chroma calls, parent to child', async () => {
    const document = { id: 'kb/laptops', text: 'Every new engineer receives a laptop on day one.' };
    expect(
      (await post('/chroma/update', { collection: 'ops', documents: [document] })).status,
    ).toBe(200);
    const response = await post('/chroma/query', { collection: 'ops', query: 'laptop on day one' });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();

    const byName = (name: string) => receiver.spans.filter((span) => span.name === name);
    await waitFor(
      () => byName('POST /chroma/query').length > 0 && byName('chroma query').length > 0,
      10_000,
    );
    const [server] = byName('POST /chroma/query');
    expect(server.kind).toBe(SERVER);
    expect(server.parentSpanId).toBeUndefined();
    expect(server.attributes['http.route']).toBe('/chroma/query');
    const inTrace = receiver.spans.filter((span) => span.traceId === server.traceId);
    const childOf = (parent: ReceivedSpan) =>
      inTrace.filter((s) => s.parentSpanId === parent.spanId);

    const embedding = inTrace.find((span) => span.name === 'embedding query');
    expect(embedding?.parentSpanId).toBe(server.spanId);
    expect(embedding?.attributes['rag.embedding.batch_size']).toBe(1);

    const query = inTrace.find((span) => span.name === 'chroma query');
    expect(query?.parentSpanId).toBe(server.spanId);
    expect(query?.attributes).toMatchObject({
      'db.system.name': 'chromadb',
      'db.collection.name': 'ops',
      'rag.result_count': 1,
    });
    // The call's requests (the ids query, and the collection read for its write token) are its
    // children, and carried the trace to Chroma.
    expect(childOf(query!).map((span) => span.name)).toEqual(
      expect.arrayContaining(['POST', 'GET']),
    );
    expect(proxy.headers.some((h) => String(h.traceparent).includes(server.traceId))).toBe(true);

    // Attributes name collections and counts, never the query text or the token.
    const exported = JSON.stringify(receiver.spans);
    expect(exported).not.toContain('laptop on day one');
    expect(exported).not.toContain(bearer.slice(7));
  });

  it('lets an in-flight request finish on SIGTERM, then exits', async () => {
    proxy.delayMs = 1500;
    const seen = proxy.headers.length;
    const slow = post('/chroma/query', { collection: 'ops', query: 'a slow question' });
    // The request is in flight: its first Chroma call is being held by the proxy.
    await waitFor(() => proxy.headers.length > seen, 5000);
    const started = Date.now();
    api.kill('SIGTERM');
    const response = await slow;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThan(1000);
    const [code, signal] = await exited;
    // Idle keep-alive connections do not hold the exit up.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(stderr).not.toMatch(/Error|ERROR/);
    // No new connection is accepted once it has gone.
    await expect(fetch(`${baseUrl}/health/live`)).rejects.toThrow();
  }, 30_000);
});
