import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the HTTP server really serves, read from Express's router (not from Swagger). */
function servedRoutes(testApp: TestApp): { method: string; path: string }[] {
  const express = testApp.app.getHttpAdapter().getInstance() as {
    router: { stack: ExpressLayer[] };
  };
  // Middleware Nest mounts on every path (request logs, metrics) shows up as a `{/*splat}` route.
  return express.router.stack.flatMap((layer) =>
    layer.route && !layer.route.path.includes('*')
      ? Object.keys(layer.route.methods).map((method) => ({ method, path: layer.route!.path }))
      : [],
  );
}

/** Health, the dev JWKS and Swagger UI (its page, assets and document) are public by design. */
const isPublic = (method: string, path: string) =>
  method === 'get' &&
  (path === '/health' ||
    path === '/health/live' ||
    path === '/auth/dev/jwks.json' ||
    path.startsWith('/docs'));

describe('the real AppModule', () => {
  let testApp: TestApp;
  let http: App;

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl() });
    http = testApp.app.getHttpServer() as App;
  });

  afterAll(() => testApp?.close());

  it('rejects an anonymous request on every route except the public ones', async () => {
    const routes = servedRoutes(testApp);
    expect(routes.length).toBeGreaterThanOrEqual(7);
    for (const { method, path } of routes) {
      const url = path.replace(/:(\w+)/g, 'x');
      const response = await request(http)[method as 'get'](url).send({});
      const key = `${method} ${path}`;
      if (isPublic(method, path)) {
        expect([key, response.status]).not.toEqual([key, 401]);
      } else {
        expect([key, response.status]).toEqual([key, 401]);
        expect(response.body).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'missing bearer token',
        });
      }
    }
  });

  it('reports readiness publicly: Chroma heartbeat and embedder', async () => {
    const { body } = await request(http).get('/health').expect(200);
    expect(body.status).toBe('ok');
    expect(body.details.chroma.status).toBe('up');
    expect(body.details.embedder.status).toBe('up');
  });

  it('lets a reader query but not write, and changes nothing on a refused write', async () => {
    const writer = testApp.bearer(['--scope', 'rag/write', '--collections', 'team-a']);
    const reader = testApp.bearer(['--scope', 'rag/read', '--collections', 'team-a']);
    await request(http)
      .post('/chroma/update')
      .set('Authorization', writer)
      .send({
        collection: 'team-a',
        documents: [{ id: 'plan', text: 'The roadmap for next year.' }],
      })
      .expect(200);
    await request(http)
      .post('/chroma/update')
      .set('Authorization', reader)
      .send({ collection: 'team-a', documents: [{ id: 'plan', text: 'Overwritten!' }] })
      .expect(403);
    await request(http)
      .delete('/chroma/documents/plan')
      .query({ collection: 'team-a' })
      .set('Authorization', reader)
      .expect(403);
    const doc = await request(http)
      .get('/chroma/documents/plan')
      .query({ collection: 'team-a' })
      .set('Authorization', reader)
      .expect(200);
    expect(doc.body.chunks[0].text).toBe('The roadmap for next year.');
  });

  it('answers a collection the caller was not granted exactly like a missing one', async () => {
    const admin = testApp.bearer();
    await request(http)
      .post('/chroma/update')
      .set('Authorization', admin)
      .send({
        collection: 'secret-plans',
        documents: [{ id: 'merger', text: 'Confidential merger plan.' }],
      })
      .expect(200);
    const outsider = testApp.bearer(['--scope', 'rag/write', '--collections', 'team-a']);
    const denied = await request(http)
      .post('/chroma/query')
      .set('Authorization', outsider)
      .send({ collection: 'secret-plans', query: 'merger' })
      .expect(404);
    const missing = await request(http)
      .post('/chroma/query')
      .set('Authorization', outsider)
      .send({ collection: 'secret-plan', query: 'merger' })
      .expect(404);
    expect(denied.body.message.replace('secret-plans', 'X')).toBe(
      missing.body.message.replace('secret-plan', 'X'),
    );
    expect(JSON.stringify(denied.body)).not.toContain('Confidential');
    await request(http)
      .get('/chroma/documents/merger')
      .query({ collection: 'secret-plans' })
      .set('Authorization', outsider)
      .expect(404);
    const listed = await request(http)
      .get('/chroma/collections')
      .set('Authorization', outsider)
      .expect(200);
    expect(listed.body.collections.map((c: { name: string }) => c.name)).not.toContain(
      'secret-plans',
    );
  });

  it('describes every route in the OpenAPI document with an operationId, tags and the bearer scheme', async () => {
    const { body } = await request(http).get('/docs-json').expect(200);
    expect(body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const operations = Object.entries(
      body.paths as Record<string, Record<string, Record<string, unknown>>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ key: `${method} ${path}`, op })),
    );
    expect(operations.map((o) => o.key).sort()).toEqual(
      [
        'delete /chroma/documents/{id}',
        'get /chroma/collections',
        'get /chroma/documents/{id}',
        'get /health',
        'get /health/live',
        'get /admin/reindex/{id}',
        'post /admin/reindex',
        'post /admin/reindex/rollback',
        'post /ingest/jobs',
        'get /ingest/jobs',
        'get /ingest/jobs/{id}',
        'delete /ingest/jobs/{id}',
        'post /chroma/query',
        'post /chroma/update',
        'post /fast_chat',
      ].sort(),
    );
    for (const { key, op } of operations) {
      expect([key, typeof op.operationId]).toEqual([key, 'string']);
      expect([key, (op.tags as string[]).length]).toEqual([key, 1]);
      const responses = Object.keys(op.responses as object);
      if (key === 'get /health' || key === 'get /health/live') {
        expect(op.security).toBeUndefined();
      } else {
        // The scope of the role the route needs (checked against the guard in contract.e2e-spec).
        expect([key, op.security]).toEqual([
          key,
          [{ bearer: [expect.stringMatching(/^rag\/(read|write|admin)$/)] }],
        ]);
        expect([key, responses.some((status) => /^2\d\d$/.test(status))]).toEqual([key, true]);
        expect(responses).toEqual(expect.arrayContaining(['400', '401', '403', '503']));
      }
    }
    const swaggerUi = await request(http).get('/docs').expect(200);
    expect(swaggerUi.text).toContain('swagger-ui');
  });
});

describe('the API when Chroma is unreachable', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    // Nothing listens on port 9 of the loopback interface.
    testApp = await createTestApp({ CHROMA_HOST: 'http://127.0.0.1:9', CHROMA_TIMEOUT_MS: '2000' });
  });

  afterAll(() => testApp?.close());

  it('is not ready and names the failing indicator', async () => {
    const { body } = await request(testApp.app.getHttpServer() as App)
      .get('/health')
      .expect(503);
    expect(body.status).toBe('error');
    expect(body.error.chroma.status).toBe('down');
    expect(body.info.embedder.status).toBe('up');
  });

  it('answers requests with a clear 503 and Retry-After, never a 500', async () => {
    const response = await request(testApp.app.getHttpServer() as App)
      .post('/chroma/query')
      .set('Authorization', testApp.bearer())
      .send({ query: 'anything' })
      .expect(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(response.body.message).toMatch(/vector store/i);
  });
});
