import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TestChromaServer } from './support/chroma-server';
import { createTestApp, TEST_MODELS_DIR, type TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const ENV = {
  METRICS_ENABLED: 'false',
  REGISTRY_CACHE_MS: '200',
  REINDEX_SETTLE_MS: '200',
};
const NEW_MODEL = { EMBEDDINGS_LEXICAL_DIMENSIONS: '512' };
const STALE = ['handbook', 'policies'];
const CURRENT = 'fresh';

interface Listed {
  name: string;
  compatible: boolean;
  generation: number;
  active_collection: string;
}

/** `node dist/cli reindex …` as the scheduled job runs it, in a child process. */
function reindexCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/cli', 'reindex', ...args],
      {
        cwd: ROOT,
        timeout: 120_000,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          MODELS_DIR: TEST_MODELS_DIR,
          ...env,
        },
      },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

async function write(app: TestApp, collection: string): Promise<void> {
  await request(app.app.getHttpServer() as App)
    .post('/chroma/update')
    .set('Authorization', app.bearer())
    .send({
      collection,
      documents: [
        { id: 'a', text: `The ${collection} say laptops are handed out on day one.` },
        { id: 'b', text: `The ${collection} say lunch is served at noon.` },
      ],
    })
    .expect(200);
}

describe('node dist/cli reindex --all (the scheduled job)', () => {
  let chroma: TestChromaServer;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Builds dist/ only when missing or older than src/.
    execFileSync('node', ['scripts/ensure-build.js'], { cwd: ROOT, stdio: 'ignore' });
    // Its own Chroma: --all reaches every collection on the server.
    chroma = await TestChromaServer.start();
    dataDir = mkdtempSync(join(tmpdir(), 'rag-reindex-cli-'));
    env = { ...ENV, CHROMA_HOST: chroma.url, DATA_DIR: dataDir };
    const old = await createTestApp(env);
    try {
      for (const collection of STALE) await write(old, collection);
    } finally {
      await old.close();
    }
    const current = await createTestApp({ ...env, ...NEW_MODEL });
    try {
      await write(current, CURRENT);
    } finally {
      await current.close();
    }
  }, 180_000);

  afterAll(async () => {
    await chroma?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds every collection whose embedder changed and leaves an up-to-date one alone', async () => {
    const { code, stdout } = await reindexCli(['--all'], { ...env, ...NEW_MODEL });
    expect({ code, stdout }).toEqual({ code: 0, stdout: expect.any(String) });
    for (const collection of STALE) {
      expect(stdout).toContain(`${collection}: switched to ${collection}__v1`);
    }
    expect(stdout).toContain(`${CURRENT}: up to date`);

    const app = await createTestApp({ ...env, ...NEW_MODEL });
    try {
      const { body } = await request(app.app.getHttpServer() as App)
        .get('/chroma/collections')
        .set('Authorization', app.bearer())
        .expect(200);
      const byName = new Map((body.collections as Listed[]).map((c) => [c.name, c]));
      for (const collection of STALE) {
        expect(byName.get(collection)).toMatchObject({
          compatible: true,
          generation: 1,
          active_collection: `${collection}__v1`,
        });
      }
      expect(byName.get(CURRENT)).toMatchObject({
        compatible: true,
        generation: 0,
        active_collection: CURRENT,
      });
      const answer = await request(app.app.getHttpServer() as App)
        .post('/chroma/query')
        .set('Authorization', app.bearer())
        .send({ collection: STALE[0], query: 'when is lunch' })
        .expect(200);
      expect(answer.body.results.length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }

    // A second run has nothing to do.
    const again = await reindexCli(['--all'], { ...env, ...NEW_MODEL });
    expect(again.code).toBe(0);
    for (const collection of [...STALE, CURRENT]) {
      expect(again.stdout).toContain(`${collection}: up to date`);
    }
  }, 180_000);
});
