import request from 'supertest';
import type { App } from 'supertest/types';
import { waitFor } from '../support/processes';
import { TcpProxy, type ProxyMode } from '../support/tcp-proxy';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';

// Generous enough that a healthy call on a loaded 2-core CI machine never hits it.
const TIMEOUT_MS = 2500;

describe('a slow or unreachable Chroma behind a TCP proxy', () => {
  let proxy: TcpProxy;
  let app: TestApp;
  let http: App;

  const query = () =>
    request(http)
      .post('/chroma/query')
      .set('Authorization', app.bearer())
      .send({ collection: 'slow', query: 'proxy latency' });

  beforeAll(async () => {
    proxy = await TcpProxy.start(sharedChromaUrl());
    app = await createTestApp({
      CHROMA_HOST: proxy.url,
      CHROMA_TIMEOUT_MS: String(TIMEOUT_MS),
      HEALTH_CHECK_TIMEOUT_MS: String(TIMEOUT_MS),
      REGISTRY_CACHE_MS: '0',
      THROTTLE_LIMIT: '100000',
    });
    http = app.app.getHttpServer() as App;
    await request(http)
      .post('/chroma/update')
      .set('Authorization', app.bearer())
      .send({ collection: 'slow', documents: [{ id: 'a', text: 'Proxy latency is measured.' }] })
      .expect(200);
  });
  // The proxy closes even when close() reports invalid responses, or jest never exits.
  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await proxy?.close();
    }
  });

  it.each<{ mode: ProxyMode; delay: number; statuses: number[] }>([
    { mode: 'delay', delay: TIMEOUT_MS * 3, statuses: [504] },
    { mode: 'blackhole', delay: 0, statuses: [504] },
    { mode: 'drop', delay: 0, statuses: [503] },
  ])(
    'answers a $mode Chroma with $statuses and recovers by itself when the proxy heals',
    async ({ mode, delay, statuses }) => {
      proxy.set(mode, delay);
      const failed = await query();
      expect(statuses).toContain(failed.status);
      expect(failed.body).toMatchObject({ statusCode: failed.status, error: expect.any(String) });
      expect((await request(http).get('/health')).status).toBe(503);
      await request(http)
        .post('/chroma/update')
        .set('Authorization', app.bearer())
        .send({
          collection: 'slow',
          documents: [{ id: `during-${mode}`, text: 'Never half stored.' }],
        })
        .expect((res) => expect(statuses).toContain(res.status));

      proxy.set('pass');
      await waitFor(async () => (await request(http).get('/health')).status === 200, 15_000);
      // A pooled connection opened while Chroma hung can still time out once; the API must
      // recover without a restart, so the query is retried until it answers.
      let healed = await query();
      await waitFor(async () => (healed = await query()).status === 200, 15_000);
      expect(healed.body.results.map((r: { id: string }) => r.id)).toContain('a#0');
    },
  );
});
