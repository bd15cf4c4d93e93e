import request from 'supertest';
import type { App } from 'supertest/types';
import { createOpenApiDocument } from '../../src/app.setup';
import { INGEST_TEST_ENV } from '../support/ingest-api';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';

const PUBLIC = new Set(['/health', '/health/live', '/auth/dev/jwks.json']);
const SUFFIX = Date.now().toString(36);
const MINE = `sec-a-${SUFFIX}`;
const THEIRS = `sec-b-${SUFFIX}`;
/** Text only THEIRS holds: it must never appear in a response to a caller of MINE. */
const CANARY = 'zebracanary quokka payroll secret';

/** What a response must never carry: stack frames, source paths, bearer tokens. */
const LEAKS = [/\bat \S+ \(/, /\.ts:\d+/, /node_modules/, /eyJ[\w-]+\.eyJ/, /Bearer /];

describe('security checks', () => {
  let app: TestApp;
  let http: App;
  let mine: string;

  beforeAll(async () => {
    app = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      ...INGEST_TEST_ENV,
      // Every route is probed without a token from one address: the failed-authentication
      // limit (covered in request-bodies.e2e-spec.ts) would answer 429 before all were seen.
      AUTH_FAILURE_LIMIT: '10000',
    });
    http = app.app.getHttpServer() as App;
    mine = app.bearer(['--sub', 'mallory', '--scope', 'rag/write', '--collections', MINE]);
    for (const [collection, text] of [
      [THEIRS, `The ${CANARY} lives here.`],
      [MINE, 'Mallory keeps notes on payroll here.'],
    ]) {
      await request(http)
        .post('/chroma/update')
        .set('Authorization', app.bearer())
        .send({ collection, documents: [{ id: 'doc', text }] })
        .expect(200);
    }
  });
  afterAll(() => app?.close());

  /** Every operation of the OpenAPI document, with path parameters filled in. */
  const operations = () =>
    Object.entries(createOpenApiDocument(app.app).paths).flatMap(([path, item]) =>
      (['get', 'post', 'delete', 'put', 'patch'] as const)
        .filter((method) => item[method])
        .map((method) => ({ method, path, url: path.replace(/\{[^}]+\}/g, 'x') })),
    );

  it('answers 401 on every non-public route without a token or with a forged one', async () => {
    const guarded = operations().filter(({ path }) => !PUBLIC.has(path));
    expect(guarded.length).toBeGreaterThanOrEqual(10);
    for (const { method, url } of guarded) {
      for (const authorization of [undefined, 'Bearer not.a.token', `Bearer ${'a'.repeat(5000)}`]) {
        const req = request(http)[method](url);
        if (authorization) req.set('Authorization', authorization);
        const res = await req.send({});
        expect([method, url, res.status]).toEqual([method, url, 401]);
      }
    }
    for (const path of PUBLIC) await request(http).get(path).expect(200);
  });

  it('denies access to a collection the token does not grant, exactly like a missing one (API1)', async () => {
    const denied = [
      request(http).post('/chroma/query').send({ collection: THEIRS, query: CANARY }),
      request(http)
        .post('/chroma/update')
        .send({ collection: THEIRS, documents: [{ id: 'doc', text: 'overwritten' }] }),
      request(http).get(`/chroma/documents/doc?collection=${THEIRS}`),
      request(http).delete(`/chroma/documents/doc?collection=${THEIRS}`),
      request(http).post('/fast_chat').send({ collection: THEIRS, question: CANARY }),
      request(http)
        .post('/ingest/jobs')
        .send({ collection: THEIRS, documents: [{ id: 'x', text: 'x' }] }),
    ];
    for (const req of denied) {
      const res = await req.set('Authorization', mine);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('zebracanary');
    }
    // Admin routes need the admin role whatever the collection.
    await request(http)
      .post('/admin/reindex')
      .set('Authorization', mine)
      .send({ collection: THEIRS })
      .expect(403);

    const { body } = await request(http)
      .get('/chroma/collections')
      .set('Authorization', mine)
      .expect(200);
    expect(body.collections.map((c: { name: string }) => c.name)).toEqual([MINE]);
    // Its own collection, asked about the other's secret, answers only from its own text.
    const own = await request(http)
      .post('/chroma/query')
      .set('Authorization', mine)
      .send({ collection: MINE, query: CANARY, top_k: 100 })
      .expect(200);
    expect(JSON.stringify(own.body)).not.toContain('zebracanary');
    // The other document is intact.
    const { body: theirs } = await request(http)
      .get(`/chroma/documents/doc?collection=${THEIRS}`)
      .set('Authorization', app.bearer())
      .expect(200);
    expect(JSON.stringify(theirs)).toContain('zebracanary');
  });

  it('sends helmet headers and no internals on successes and errors alike', async () => {
    const responses = await Promise.all([
      request(http).get('/health'),
      request(http).post('/chroma/query').set('Authorization', mine).send('{"query": '),
      request(http).post('/chroma/query').set('Authorization', mine).send({ top_k: 'x' }),
      request(http).get('/nowhere').set('Authorization', mine),
      request(http).post('/chroma/query').set('Authorization', `Bearer ${mine}`),
    ]);
    for (const res of responses) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'strict-transport-security': expect.any(String),
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
      for (const leak of LEAKS) expect(res.text).not.toMatch(leak);
    }
  });
});
