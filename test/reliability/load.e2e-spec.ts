import autocannon from 'autocannon';
import request from 'supertest';
import type { App } from 'supertest/types';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { longText } from '../support/ingest-api';
import { listenOnLoopback } from '../support/openapi-server';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';

const DURATION_S = 15;
// A full GC of the shared jest heap takes a while: sample often enough for thirds, no more.
const SAMPLE_MS = 1000;
const COLLECTION = `load-${Date.now().toString(36)}`;

// A forced GC before each heap sample, without needing node --expose-gc on the jest command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

describe('sustained mixed load', () => {
  let app: TestApp;
  let url: string;

  beforeAll(async () => {
    app = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      THROTTLE_LIMIT: '1000000',
      THROTTLE_STRICT_LIMIT: '1000000',
      METRICS_ENABLED: 'false',
    });
    url = await listenOnLoopback(app);
    await request(app.app.getHttpServer() as App)
      .post('/chroma/update')
      .set('Authorization', app.bearer())
      .send({
        collection: COLLECTION,
        documents: Array.from({ length: 30 }, (_, i) => ({
          id: `seed-${i}`,
          text: longText(`load${i}`, 3),
        })),
      })
      .expect(200);
  });
  afterAll(() => app?.close());

  it(`serves queries, upserts and chat for ${DURATION_S} s with no 5xx and no heap growth`, async () => {
    const headers = { authorization: app.bearer(), 'content-type': 'application/json' };
    let upserts = 0;
    const heap: number[] = [];
    const sampler = setInterval(() => {
      gc();
      heap.push(process.memoryUsage().heapUsed);
    }, SAMPLE_MS);
    const result = await autocannon({
      url,
      connections: 8,
      duration: DURATION_S,
      requests: [
        {
          method: 'POST',
          path: '/chroma/query',
          headers,
          body: JSON.stringify({ collection: COLLECTION, query: 'load paragraph procedure' }),
        },
        {
          method: 'POST',
          path: '/chroma/update',
          headers,
          // A fresh document per request, so every upsert embeds and writes.
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({
              collection: COLLECTION,
              documents: [{ id: `live-${upserts++}`, text: `Live note ${upserts} on load.` }],
            }),
          }),
        },
        {
          method: 'POST',
          path: '/fast_chat',
          headers,
          body: JSON.stringify({ collection: COLLECTION, question: 'What does step 4 explain?' }),
        },
      ],
    });
    clearInterval(sampler);

    const third = Math.floor(heap.length / 3);
    const first = median(heap.slice(0, third));
    const last = median(heap.slice(-third));
    console.log(
      `load: ${result.requests.total} requests in ${DURATION_S} s (${result.requests.average}/s), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; 2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}; heap median ${(first / 1e6).toFixed(0)} → ${(last / 1e6).toFixed(0)} MB over ${heap.length} samples`,
    );
    // Throughput depends on the machine; only that every kind of request got through is asserted.
    expect(result['2xx']).toBeGreaterThanOrEqual(3);
    expect(upserts).toBeGreaterThan(0);
    expect({
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    // No trend: the last third's median heap is within a generous bound of the first third's.
    expect(last).toBeLessThan(first * 1.2 + 20e6);
  }, 60_000);
});
