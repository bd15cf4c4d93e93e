import { ChromaClient, type Collection } from 'chromadb';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { tokenFromArgs } from '../src/cli/token';
import { authConfigFrom } from '../src/auth/auth.config';
import { parseEnv } from '../src/config/env';
import { vectorStoreConfigFrom } from '../src/vector-store/vector-store.config';
import { runSmokeCli } from '../src/cli/smoke';
import { runChromaMigrate } from '../src/cli/chroma-migrate';
import { TestChromaServer } from './support/chroma-server';
import { ApiProcess } from './support/deploy-api-process';
import { createTestApp, TEST_MODELS_DIR, type TestApp } from './support/test-app';

/**
 * The compose topology without Docker: a Chroma server process (the `chroma` service), the built
 * API as its own process with CHROMA_HOST (the `api` service), data migrated into it from an
 * embedded data folder by the migration CLI, then the smoke CLI against it.
 */
const COLLECTION = 'handbook';
const DOCUMENTS = [
  { id: 'kb/laptops', text: '# Laptops\n\nEvery new engineer receives a laptop on day one.' },
  { id: 'kb/vpn', text: '# VPN\n\nConnect to the VPN before opening internal dashboards.' },
  { id: 'kb/holidays', text: '# Holidays\n\nEmployees get twenty-five paid holidays a year.' },
  {
    id: 'kb/oncall',
    text: '# On-call\n\nThe on-call engineer answers pages within fifteen minutes.',
  },
].map((doc) => ({ ...doc, metadata: { file_type: 'text/markdown', team: 'ops' } }));
const QUESTIONS = ['when do new hires get a computer?', 'how fast must pages be answered?'];

interface Hit {
  id: string;
  score: number;
}

const clientFor = (url: string): ChromaClient => {
  const { hostname, port } = new URL(url);
  return new ChromaClient({ host: hostname, port: Number(port) });
};

/** Runs a CLI function and captures what it prints. */
async function capture(run: (print: (line: string) => void) => Promise<number>) {
  const lines: string[] = [];
  const code = await run((line) => lines.push(line));
  return { code, lines, text: lines.join('\n') };
}

const migrate = (args: string[]) =>
  capture((print) => runChromaMigrate(args, vectorStoreConfigFrom(parseEnv({})), print));

describe('deployment topology: Chroma service + API process, migration, smoke test', () => {
  let seedDir: string;
  let chroma: TestChromaServer;
  let api: ApiProcess | undefined;
  let apiDataDir: string;
  let token: string;
  const embeddedAnswers = new Map<string, Hit[]>();

  beforeAll(async () => {
    // An embedded deployment's data folder, written through the real API.
    seedDir = mkdtempSync(join(tmpdir(), 'deploy-seed-'));
    const seed: TestApp = await createTestApp({ CHROMA_HOST: undefined, DATA_DIR: seedDir });
    try {
      await request(seed.app.getHttpServer())
        .post('/chroma/update')
        .set('Authorization', seed.bearer())
        .send({ collection: COLLECTION, documents: DOCUMENTS })
        .expect(200);
      for (const question of QUESTIONS) {
        const { body } = await request(seed.app.getHttpServer())
          .post('/chroma/query')
          .set('Authorization', seed.bearer())
          .send({ collection: COLLECTION, query: question, top_k: 3 })
          .expect(200);
        embeddedAnswers.set(question, (body as { results: Hit[] }).results);
      }
    } finally {
      await seed.close();
    }
    chroma = await TestChromaServer.start();
    apiDataDir = mkdtempSync(join(tmpdir(), 'deploy-api-'));
  });

  afterAll(async () => {
    await api?.stop();
    await chroma?.destroy();
    for (const dir of [seedDir, apiDataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to read a data folder that a running API holds', async () => {
    const holder = await createTestApp({ CHROMA_HOST: undefined, DATA_DIR: seedDir });
    try {
      await expect(
        migrate(['--from', join(seedDir, 'chroma'), '--to', chroma.url]),
      ).rejects.toThrow(/already in use/);
    } finally {
      await holder.close();
    }
  });

  it('copies the embedded folder into the Chroma service and verifies every collection', async () => {
    const { code, lines, text } = await migrate([
      '--from',
      join(seedDir, 'chroma'),
      '--to',
      chroma.url,
    ]);
    expect({ code, text }).toEqual({
      code: 0,
      text: expect.stringMatching(/verified \d+ collection\(s\)/),
    });
    const row = lines.find((line) => line.startsWith(COLLECTION));
    expect(row?.split(/\s{2,}/)).toEqual([
      COLLECTION,
      '4',
      '4',
      '4',
      '0',
      expect.stringMatching(/^[0-9a-f]{12}$/),
      'OK',
    ]);

    const target = await clientFor(chroma.url).getCollection({ name: COLLECTION });
    expect(target.configuration.hnsw?.space).toBe('cosine');
    expect(target.metadata).toEqual(expect.objectContaining({ embedder_provider: 'local' }));
  });

  // Allows for building dist/ when it is stale.
  it('the API process on CHROMA_HOST answers the same queries as the embedded API did', async () => {
    api = await ApiProcess.start({
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: apiDataDir,
      MODELS_DIR: TEST_MODELS_DIR,
      CHROMA_HOST: chroma.url,
      METRICS_ENABLED: 'false',
    });
    token = tokenFromArgs(
      ['--scope', 'rag/read'],
      authConfigFrom(parseEnv({ DATA_DIR: apiDataDir })),
    );
    for (const question of QUESTIONS) {
      const response = await fetch(`${api.url}/chroma/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ collection: COLLECTION, query: question, top_k: 3 }),
      });
      expect(response.status).toBe(200);
      const { results } = (await response.json()) as { results: Hit[] };
      const expected = embeddedAnswers.get(question) as Hit[];
      expect(results.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
      results.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i].score, 5));
    }
  }, 240_000);

  it('the smoke CLI passes against the deployed topology', async () => {
    const { code, lines } = await capture((print) =>
      runSmokeCli(
        [
          '--base-url',
          (api as ApiProcess).url,
          '--token',
          token,
          '--collection',
          COLLECTION,
          '--query',
          QUESTIONS[0],
        ],
        print,
      ),
    );
    expect(lines).toEqual([
      expect.stringMatching(/^PASS {2}GET \/health {2}ready/),
      expect.stringMatching(/^PASS {2}POST \/chroma\/query {2}3 result\(s\), tier exact$/),
      expect.stringMatching(
        /^PASS {2}POST \/fast_chat {2}answer of \d+ chars citing \d+ source\(s\)$/,
      ),
      `smoke test passed against ${(api as ApiProcess).url}`,
    ]);
    expect(code).toBe(0);
  });

  it('the smoke CLI reports a deployment without /fast_chat as a clear failure', async () => {
    // An older deployment: a stand-in answering /fast_chat as the API answers a route it lacks.
    const missing = await fetch(`${(api as ApiProcess).url}/no_such_route`, { method: 'POST' });
    const missingBody = await missing.text();
    const canned: Record<string, [number, string]> = {
      '/health': [200, JSON.stringify({ status: 'ok' })],
      '/chroma/query': [200, JSON.stringify({ results: [{ id: 'kb/laptops#0' }], tier: 'exact' })],
      '/fast_chat': [404, missingBody.replace('/no_such_route', '/fast_chat')],
    };
    const olderApi = createServer((req, res) => {
      const [status, body] = canned[req.url ?? ''];
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    olderApi.listen(0, '127.0.0.1');
    await once(olderApi, 'listening');
    const { port } = olderApi.address() as AddressInfo;
    try {
      const { code, lines } = await capture((print) =>
        runSmokeCli(
          ['--base-url', `http://127.0.0.1:${port}`, '--token', token, '--collection', COLLECTION],
          print,
        ),
      );
      expect(missing.status).toBe(404);
      expect(lines.slice(0, 3).map((line) => line.slice(0, 4))).toEqual(['PASS', 'PASS', 'FAIL']);
      expect(lines[2]).toBe('FAIL  POST /fast_chat  404: this deployment has no /fast_chat route');
      expect(lines[3]).toBe('1 check(s) failed');
      expect(code).toBe(1);
    } finally {
      olderApi.close();
    }
  });

  it('the smoke CLI fails clearly on a bad token, an unreachable API and missing arguments', async () => {
    const badToken = await capture((print) =>
      runSmokeCli(
        ['--base-url', (api as ApiProcess).url, '--token', 'not-a-jwt', '--collection', COLLECTION],
        print,
      ),
    );
    expect(badToken.code).toBe(1);
    expect(badToken.lines[0]).toMatch(/^PASS/);
    expect(badToken.lines[1]).toMatch(/^FAIL {2}POST \/chroma\/query {2}401 /);

    const down = await capture((print) =>
      runSmokeCli(
        ['--base-url', 'http://127.0.0.1:9', '--token', token, '--timeout-ms', '2000'],
        print,
      ),
    );
    expect(down.code).toBe(1);
    expect(down.lines.slice(0, 3).every((line) => line.startsWith('FAIL'))).toBe(true);

    expect((await capture((print) => runSmokeCli(['--token', token], print))).code).toBe(2);
  });

  it('a second run resumes: identical records are skipped, nothing is copied', async () => {
    const { code, lines } = await migrate(['--from', join(seedDir, 'chroma'), '--to', chroma.url]);
    expect(code).toBe(0);
    expect(
      lines
        .find((line) => line.startsWith(COLLECTION))
        ?.split(/\s{2,}/)
        .slice(3, 5),
    ).toEqual(['0', '4']);
  });

  it('verification detects a tampered and a missing record, and a re-run repairs both', async () => {
    const target: Collection = await clientFor(chroma.url).getCollection({ name: COLLECTION });
    const [first, second] = (
      await target.get({ include: ['embeddings', 'metadatas'], limit: 2 })
    ).rows();
    await target.upsert({
      ids: [first.id],
      embeddings: [first.embedding as number[]],
      documents: ['tampered text'],
      metadatas: [first.metadata as Record<string, string>],
    });
    await target.delete({ ids: [second.id] });

    const verify = await migrate([
      '--from',
      join(seedDir, 'chroma'),
      '--to',
      chroma.url,
      '--verify-only',
    ]);
    expect(verify.code).toBe(1);
    const row = verify.lines.find((line) => line.startsWith(COLLECTION)) as string;
    expect(row).toContain('DIFF: count 3 ≠ 4; 2 record(s) differ:');
    expect(row).toContain([first.id, second.id].sort().join(', '));
    expect(verify.text).toMatch(/1 of \d+ collection\(s\) differ/);

    const repair = await migrate(['--from', join(seedDir, 'chroma'), '--to', chroma.url]);
    expect(repair.code).toBe(0);
    expect(
      repair.lines
        .find((line) => line.startsWith(COLLECTION))
        ?.split(/\s{2,}/)
        .slice(3, 5),
    ).toEqual(['2', '2']);
  });
});

describe('chroma-migrate between two servers', () => {
  let source: TestChromaServer;
  let target: TestChromaServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([TestChromaServer.start(), TestChromaServer.start()]);
  });

  afterAll(async () => {
    await Promise.all([source?.destroy(), target?.destroy()]);
  });

  it('copies records without documents or metadata, collection metadata and index settings', async () => {
    const raw = await clientFor(source.url).createCollection({
      name: 'raw',
      embeddingFunction: null,
      metadata: { owner: 'migration-test' },
      configuration: { hnsw: { space: 'l2', max_neighbors: 32, ef_search: 50 } },
    });
    await raw.add({
      ids: ['with-doc', 'with-meta'],
      embeddings: [
        [0.1, 0.2, 0.3],
        [0.4, 0.5, 0.6],
      ],
      documents: ['a document', 'another'],
      metadatas: [{ n: 1, flag: true }, { tag: 'x' }],
    });
    await raw.add({ ids: ['bare'], embeddings: [[0.7, 0.8, 0.9]] });
    await clientFor(source.url).createCollection({ name: 'empty', embeddingFunction: null });

    const { code, text } = await migrate([
      '--from',
      source.url,
      '--to',
      target.url,
      '--batch-size',
      '2',
    ]);
    expect({ code, text }).toEqual({
      code: 0,
      text: expect.stringContaining('verified 2 collection(s)'),
    });

    const copy = await clientFor(target.url).getCollection({ name: 'raw' });
    expect(copy.metadata).toEqual({ owner: 'migration-test' });
    expect(copy.configuration.hnsw).toEqual(
      expect.objectContaining({ space: 'l2', max_neighbors: 32, ef_search: 50 }),
    );
    const bare = await copy.get({
      ids: ['bare'],
      include: ['documents', 'metadatas', 'embeddings'],
    });
    expect([bare.documents[0], bare.metadatas[0]]).toEqual([null, null]);
    expect(bare.embeddings[0].map((v) => Number(v.toFixed(5)))).toEqual([0.7, 0.8, 0.9]);
  });

  it('reports a record that only the target has, and leaves it there', async () => {
    const copy = await clientFor(target.url).getCollection({ name: 'raw' });
    await copy.add({ ids: ['only-on-target'], embeddings: [[0.3, 0.2, 0.1]] });
    const { code, lines } = await migrate(['--from', source.url, '--to', target.url]);
    expect(code).toBe(1);
    expect(lines.find((line) => line.startsWith('raw'))).toMatch(
      /DIFF: count 4 ≠ 3; 1 record\(s\) differ: only-on-target$/,
    );
    expect(await copy.count()).toBe(4);
  });

  it('rejects bad arguments and sources that are neither URL nor folder', async () => {
    expect((await migrate(['--from', source.url])).code).toBe(2);
    expect((await migrate(['--from', source.url, '--to', source.url])).code).toBe(2);
    await expect(migrate(['--from', '/nonexistent/chroma', '--to', target.url])).rejects.toThrow(
      /neither an http\(s\) URL nor an existing Chroma data folder/,
    );
  });
});
