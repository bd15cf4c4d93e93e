import request from 'supertest';
import type { App } from 'supertest/types';
import { MetricsServer } from '../src/observability/metrics.server';
import { TestChromaServer } from './support/chroma-server';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const DOC = { id: 'ops/laptops', text: 'Every new engineer receives a laptop on day one.' };

/** Polls `read` while the state it returns is one of `pending` (for up to 20 s). */
async function settled(read: () => Promise<string>, pending: string[]): Promise<string> {
  let state = await read();
  for (let polls = 0; pending.includes(state) && polls < 400; polls += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = await read();
  }
  return state;
}

/** The value of the series `name{labels}` in a Prometheus exposition (undefined when absent). */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('operations: health, metrics, logs and hardening', () => {
  let chroma: TestChromaServer;
  let testApp: TestApp;
  let http: App;

  beforeAll(async () => {
    // A Chroma server of our own, so stopping it does not disturb other suites.
    chroma = await TestChromaServer.start();
    testApp = await createTestApp({ CHROMA_HOST: chroma.url, METRICS_PORT: '0' });
    http = testApp.app.getHttpServer() as App;
  });

  afterAll(async () => {
    await testApp?.close();
    await chroma?.destroy();
  });

  it('turns /health 503 naming chroma while Chroma is down, and 200 once it is back', async () => {
    await request(http).get('/health').expect(200);
    await chroma.stop();
    const down = await request(http).get('/health').expect(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error.chroma.status).toBe('down');
    expect(down.body.info.embedder.status).toBe('up');
    // Liveness checks no dependency: the orchestrator must not restart the API for this.
    await request(http).get('/health/live').expect(200, { status: 'ok' });
    await chroma.restart();
    const up = await request(http).get('/health').expect(200);
    expect(up.body.details.chroma.status).toBe('up');
  });

  it('serves /health/live publicly', async () => {
    await request(http).get('/health/live').expect(200, { status: 'ok' });
  });

  it('exposes request, embedding, Chroma, ingest, re-index, tier and Node series on the metrics port', async () => {
    const auth = testApp.bearer();
    await request(http)
      .post('/chroma/update')
      .set('Authorization', auth)
      .send({ collection: 'ops', documents: [DOC] })
      .expect(200);
    await request(http)
      .post('/chroma/query')
      .set('Authorization', auth)
      .send({ collection: 'ops', query: 'when does a new hire get a computer?' })
      .expect(200);
    await request(http)
      .post('/chroma/query')
      .set('Authorization', auth)
      .send({ collection: 'missing-ops', query: 'laptop' })
      .expect(404);
    // A filter nothing matches falls through to the unfiltered tier.
    await request(http)
      .post('/chroma/query')
      .set('Authorization', auth)
      .send({ collection: 'ops', query: 'laptop', filter: { team: 'nobody' } })
      .expect(200);
    const job = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', auth)
      .send({ collection: 'ops', documents: [DOC, { id: 'ops/vpn', text: 'Use the VPN abroad.' }] })
      .expect(202);
    const jobState = async () =>
      (await request(http).get(`/ingest/jobs/${job.body.id}`).set('Authorization', auth)).body
        .state as string;
    expect(await settled(jobState, ['queued', 'running'])).toBe('succeeded');
    const unreadable = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', auth)
      .field('collection', 'ops')
      .attach('files', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'x.png')
      .expect(202);
    expect(unreadable.body.files).toEqual({ total: 1, failed: 1, skipped: 0 });
    const run = await request(http)
      .post('/admin/reindex')
      .set('Authorization', auth)
      .send({ collection: 'ops', force: true })
      .expect(202);
    const runState = async () =>
      (await request(http).get(`/admin/reindex/${run.body.run_id}`).set('Authorization', auth)).body
        .state as string;
    expect(await settled(runState, ['building'])).toBe('succeeded');

    const port = await testApp.app.get(MetricsServer).listen();
    expect(port).toBeGreaterThan(0);
    // The API's own port does not serve metrics.
    await request(http).get('/metrics').expect(404);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/chroma\/query",status_code="200"\} [1-9]/,
    );
    expect(body).toMatch(/route="\/chroma\/query",status_code="404"/);
    expect(body).toMatch(
      /rag_embedding_duration_seconds_count\{kind="documents",outcome="ok"\} [1-9]/,
    );
    expect(body).toMatch(/rag_embedding_duration_seconds_count\{kind="query",outcome="ok"\} [1-9]/);
    expect(body).toMatch(/rag_embedding_batch_size_texts_bucket\{le="1",kind="query"\} [1-9]/);
    expect(body).toContain('# HELP rag_embedding_batch_size_texts Texts sent');
    // Three from the API's queries (the filtered one falls through to a second tier), and the
    // re-index's search check: each of the collection's 2 chunks probed on both generations.
    expect(sample(body, 'rag_chroma_duration_seconds_count{operation="query",outcome="ok"}')).toBe(
      3 + 2 * 2,
    );
    expect(body).toMatch(
      /rag_chroma_duration_seconds_count\{operation="upsert",outcome="ok"\} [1-9]/,
    );
    // Asking for a collection that does not exist is answered, not failed.
    expect(body).toMatch(
      /rag_chroma_duration_seconds_count\{operation="describe_collection",outcome="not_found"\} [1-9]/,
    );
    expect(body).not.toContain('error="NotFoundError"');
    // One ingest job of two documents (one unchanged since the upsert above), one of an unreadable file.
    expect(sample(body, 'rag_ingest_files_total{outcome="accepted"}')).toBe(2);
    expect(sample(body, 'rag_ingest_files_total{outcome="rejected"}')).toBe(1);
    expect(sample(body, 'rag_ingest_chunks_total{outcome="written"}')).toBe(1);
    expect(sample(body, 'rag_ingest_chunks_total{outcome="unchanged"}')).toBe(1);
    expect(sample(body, 'rag_reindex_runs_total{outcome="succeeded"}')).toBe(1);
    expect(sample(body, 'rag_reindex_runs_total{outcome="failed"}')).toBe(0);
    expect(sample(body, 'rag_query_tier_total{tier="exact"}')).toBe(1);
    expect(sample(body, 'rag_query_tier_total{tier="unfiltered"}')).toBe(1);
    expect(body).toContain('# TYPE rag_llm_duration_seconds histogram');
    expect(body).toContain('# TYPE rag_llm_tokens_total counter');
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await request(http).get('/health/live').set('X-Request-Id', 'req-42.a:b');
    expect(kept.headers['x-request-id']).toBe('req-42.a:b');
    const replaced = await request(http).get('/health/live').set('X-Request-Id', 'a b\tc<script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await request(http).get('/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends helmet security headers', async () => {
    const response = await request(http).get('/health/live');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toContain('max-age=');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('keeps answering 413 with a JSON error for an oversized body', async () => {
    const response = await request(http)
      .post('/chroma/query')
      .set('Authorization', testApp.bearer())
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ query: 'x'.repeat(10_000_001) }))
      .expect(413);
    expect(response.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('does not answer CORS preflights while CORS_ORIGINS is unset', async () => {
    const response = await request(http)
      .options('/chroma/query')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('operations: throttling and CORS', () => {
  let testApp: TestApp;
  let http: App;

  beforeAll(async () => {
    testApp = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      THROTTLE_LIMIT: '3',
      THROTTLE_STRICT_LIMIT: '2',
      CORS_ORIGINS: 'https://app.example',
    });
    http = testApp.app.getHttpServer() as App;
  });

  afterAll(() => testApp?.close());

  const listCollections = (sub: string) =>
    request(http)
      .get('/chroma/collections')
      .set('Authorization', testApp.bearer(['--sub', sub, '--scope', 'rag/admin']));

  it('answers 429 with Retry-After and a JSON body once a principal spends its budget', async () => {
    for (let i = 0; i < 3; i += 1) await listCollections('alice').expect(200);
    const refused = await listCollections('alice').expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(refused.body.message).toMatch(/retry after \d+ s/);
    // The budget is per principal (token `sub`), not per address.
    await listCollections('bob').expect(200);
  });

  it('answers a strict-window 429 with the standard Retry-After only', async () => {
    const chat = () =>
      request(http)
        .post('/fast_chat')
        .set('Authorization', testApp.bearer(['--sub', 'carol', '--scope', 'rag/admin']))
        .send({ question: 'When do new engineers get a laptop?', collection: 'absent-strict' });
    for (let i = 0; i < 2; i += 1) expect((await chat()).status).not.toBe(429);
    const refused = await chat().expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Object.keys(refused.headers).filter((name) => name.startsWith('retry-after'))).toEqual([
      'retry-after',
    ]);
  });

  it('never throttles health probes', async () => {
    for (let i = 0; i < 5; i += 1) await request(http).get('/health/live').expect(200);
  });

  it('allows the configured CORS origins only', async () => {
    const allowed = await request(http)
      .options('/chroma/query')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await request(http)
      .options('/chroma/query')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
