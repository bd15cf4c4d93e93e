import request from 'supertest';
import type { App } from 'supertest/types';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorStoreConfig } from '../src/vector-store/vector-store.config';
import { processesUsing, waitFor } from './support/processes';
import { createTestApp, type TestApp } from './support/test-app';

const TOPICS = [
  'astronomy telescopes galaxies orbit',
  'cooking recipes ovens spices',
  'football stadium goals league',
  'banking loans interest mortgage',
  'medicine hospital vaccine patients',
  'gardening roses soil watering',
  'railway trains stations tickets',
  'music guitar concert melody',
  'volcano lava eruption ash',
  'chess opening bishop checkmate',
];

/** 60 documents of 26 paragraphs each: about 1,560 chunks at CHUNK_SIZE=200. */
const DOCUMENTS = Array.from({ length: 60 }, (_, d) => ({
  id: `doc-${d}`,
  text: Array.from(
    { length: 26 },
    (_, p) =>
      `Paragraph ${p} of document ${d} covers ${TOPICS[(d + p) % TOPICS.length]} in detail, case ${d * 100 + p}, with notes on ${TOPICS[(d * 3 + p) % TOPICS.length]}.`,
  ).join('\n\n'),
  metadata: { file_type: d % 2 ? 'pdf' : 'md', batch: d % 5 },
}));

const QUERIES = [
  { query: 'telescopes and galaxies' },
  { query: 'mortgage interest rates', filter: { file_type: 'pdf' } },
  { query: 'lava from an eruption', filter: { batch: 3 } },
  { query: 'checkmate with a bishop', top_k: 10 },
  { query: 'vaccine for patients', filter: { doctype: 'application/pdf' } },
];

const ENV = { CHUNK_SIZE: '200', CHUNK_OVERLAP: '0', CHROMA_HOST: undefined };

interface Answer {
  tier: string;
  results: { id: string; score: number }[];
}

describe('persistence of the embedded strategy (restart and crash)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rag-persist-'));
  let testApp: TestApp;
  let baseline: Answer[];
  let chunkCount: number;

  const ask = async (app: TestApp): Promise<Answer[]> => {
    const http = app.app.getHttpServer() as App;
    const answers: Answer[] = [];
    for (const body of QUERIES) {
      const { body: answer } = await request(http)
        .post('/chroma/query')
        .set('Authorization', app.bearer(['--scope', 'rag/read']))
        .send(body)
        .expect(200);
      answers.push({
        tier: answer.tier,
        results: answer.results.map((r: { id: string; score: number }) => ({
          id: r.id,
          score: r.score,
        })),
      });
    }
    return answers;
  };

  /** Same hits with the same scores; chunks that tie on score may come back in either order. */
  const expectSameAnswers = (answers: Answer[]) => {
    const normalise = (list: Answer[]) =>
      list.map((answer) => ({
        tier: answer.tier,
        hits: answer.results.map((r) => `${r.score.toFixed(5)} ${r.id}`).sort(),
      }));
    expect(normalise(answers)).toEqual(normalise(baseline));
  };

  const totalChunks = async (app: TestApp): Promise<number> => {
    const { body } = await request(app.app.getHttpServer() as App)
      .get('/chroma/collections')
      .set('Authorization', app.bearer())
      .expect(200);
    return body.collections.find((c: { name: string }) => c.name === 'docs').count;
  };

  beforeAll(async () => {
    testApp = await createTestApp({ ...ENV, DATA_DIR: dataDir });
    const { body } = await request(testApp.app.getHttpServer() as App)
      .post('/chroma/update')
      .set('Authorization', testApp.bearer(['--scope', 'rag/write']))
      .send({ documents: DOCUMENTS })
      .expect(200);
    chunkCount = body.results.reduce((sum: number, r: { chunks: number }) => sum + r.chunks, 0);
    baseline = await ask(testApp);
  });

  afterAll(async () => {
    await testApp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores more than Chroma’s 1,000-write index sync threshold', async () => {
    expect(chunkCount).toBeGreaterThanOrEqual(1500);
    expect(await totalChunks(testApp)).toBe(chunkCount);
    expect(baseline.every((answer) => answer.results.length > 0)).toBe(true);
  });

  it('answers the same after the API stops and starts again on the same data folder', async () => {
    const chromaPath = testApp.app.get(VectorStoreConfig).embedded.path;
    await testApp.close({ keepData: true });
    expect(processesUsing(chromaPath)).toEqual([]);

    testApp = await createTestApp({ ...ENV, DATA_DIR: dataDir });
    expect(await totalChunks(testApp)).toBe(chunkCount);
    expectSameAnswers(await ask(testApp));
  });

  it('answers the same after the Chroma process is killed with SIGKILL and restarted by the API', async () => {
    const chromaPath = testApp.app.get(VectorStoreConfig).embedded.path;
    const [pid] = processesUsing(chromaPath);
    expect(pid).toBeDefined();
    process.kill(pid, 'SIGKILL');

    const http = testApp.app.getHttpServer() as App;
    await waitFor(async () => (await request(http).get('/health')).status === 200, 30_000);
    const [restarted] = processesUsing(chromaPath);
    expect(restarted).not.toBe(pid);
    expect(await totalChunks(testApp)).toBe(chunkCount);
    expectSameAnswers(await ask(testApp));
  });

  it('refuses a second API on the same data folder at once, with a clear message', async () => {
    const started = Date.now();
    await expect(createTestApp({ ...ENV, DATA_DIR: dataDir })).rejects.toThrow(
      /already in use by process/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
