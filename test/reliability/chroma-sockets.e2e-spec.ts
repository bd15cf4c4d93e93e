import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';

const MAX_SOCKETS = 3;
const IDLE_MS = 400;
const COLLECTION = `sockets-${Date.now().toString(36)}`;

/**
 * A TCP proxy in front of the shared Chroma that counts the connections whose first request is
 * a query: those come from the query agent (the client's fetch pool never sends queries).
 */
class CountingProxy {
  readonly open = new Set<Socket>();
  peak = 0;
  private readonly server: Server;
  private readonly all = new Set<Socket>();

  constructor(upstream: URL) {
    this.server = createServer((client) => {
      this.all.add(client);
      client.on('close', () => this.all.delete(client));
      const chroma = connect(Number(upstream.port), upstream.hostname);
      client.once('data', (first: Buffer) => {
        const line = first.subarray(0, first.indexOf('\r\n')).toString();
        if (/^POST \S+\/query HTTP/.test(line)) {
          this.open.add(client);
          this.peak = Math.max(this.peak, this.open.size);
        }
      });
      client.on('close', () => this.open.delete(client));
      client.pipe(chroma).pipe(client);
      client.on('error', () => chroma.destroy());
      chroma.on('error', () => client.destroy());
      chroma.on('close', () => client.destroy());
      client.on('close', () => chroma.destroy());
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const socket of this.all) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('query sockets to a self-hosted Chroma (issue 17, finding 7)', () => {
  let proxy: CountingProxy;
  let app: TestApp;
  let http: App;

  beforeAll(async () => {
    proxy = new CountingProxy(new URL(sharedChromaUrl()));
    app = await createTestApp({
      CHROMA_HOST: await proxy.listen(),
      CHROMA_MAX_SOCKETS: String(MAX_SOCKETS),
      CHROMA_IDLE_SOCKET_MS: String(IDLE_MS),
    });
    http = app.app.getHttpServer() as App;
    await request(http)
      .post('/chroma/update')
      .set('Authorization', app.bearer())
      .send({
        collection: COLLECTION,
        documents: [{ id: 'doc', text: 'Sockets close when idle.' }],
      })
      .expect(200);
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
  });

  it('never opens more than CHROMA_MAX_SOCKETS and closes them after CHROMA_IDLE_SOCKET_MS idle', async () => {
    const bearer = app.bearer();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        request(http)
          .post('/chroma/query')
          .set('Authorization', bearer)
          .send({ collection: COLLECTION, query: `idle sockets ${i}` }),
      ),
    );
    expect(answers.map((res) => res.status)).toEqual(answers.map(() => 200));
    expect(proxy.peak).toBeGreaterThan(0);
    expect(proxy.peak).toBeLessThanOrEqual(MAX_SOCKETS);
    expect(proxy.open.size).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
    expect(proxy.open.size).toBe(0);
    console.log(`query sockets: peak ${proxy.peak} for 40 concurrent queries, 0 open after idle`);
  });
});
