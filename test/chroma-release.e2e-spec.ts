import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChromaServerProcess,
  embeddedRuntime,
  findFreePort,
  type ChromaServerRuntime,
} from '../src/vector-store/chroma-server.process';
import { CHROMA_RELEASE } from './support/chroma-release';
import { releaseRuntime } from './support/chroma-runtime';
import { TestChromaServer } from './support/chroma-server';
import { readRepoFile, readYaml } from './support/deploy-files';
import { sharedChromaUrl } from './support/test-app';

type Json = Record<string, unknown>;

const COLLECTIONS = '/api/v2/tenants/default_tenant/databases/default_database/collections';

async function call<T = Json>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * What `chroma --version` prints for a runtime's binding. The binding's CLI exits the process
 * from native code, which once ended in a non-zero status in a full CI run (not reproduced in
 * 40 runs alone); the printed line is the fact under test, so one more try is allowed and a
 * failure shows everything the process said.
 */
function cliVersion(runtime: ChromaServerRuntime): string {
  const [command, ...launcherArgs] = [...runtime.launcher, process.execPath];
  const script = 'require(process.argv[1]).cli(["chroma", "--version"])';
  const attempts: string[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const run = spawnSync(command, [...launcherArgs, '-e', script, runtime.bindingPath], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const printed = run.stdout.trim();
    if (/^chroma \S+$/.test(printed)) return printed;
    attempts.push(
      `status ${run.status} signal ${run.signal} stdout ${JSON.stringify(run.stdout)} stderr ${JSON.stringify(run.stderr)}`,
    );
  }
  throw new Error(`chroma --version printed no version:\n${attempts.join('\n')}`);
}

describe('the Chroma release that is deployed is the one the tests run', () => {
  it('pins image, binding and reported versions together', () => {
    const compose = readYaml<{ services: { chroma: { image: string } } }>(
      'docker/docker-compose.yml',
    );
    const copilot = readYaml<{ image: { location: string } }>('copilot/chroma/manifest.yml');
    expect(CHROMA_RELEASE.image).toBe(`chromadb/chroma:${CHROMA_RELEASE.tag}`);
    expect([compose.services.chroma.image, copilot.image.location]).toEqual([
      CHROMA_RELEASE.image,
      CHROMA_RELEASE.image,
    ]);
    const manifest = JSON.parse(readRepoFile('package.json')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies[CHROMA_RELEASE.bindingAlias]).toBe(
      `npm:${CHROMA_RELEASE.bindingPackage}@${CHROMA_RELEASE.bindingVersion}`,
    );
    const installed = JSON.parse(
      readFileSync(require.resolve(`${CHROMA_RELEASE.bindingAlias}/package.json`), 'utf8'),
    ) as { name: string; version: string };
    expect(installed).toMatchObject({
      name: CHROMA_RELEASE.bindingPackage,
      version: CHROMA_RELEASE.bindingVersion,
    });
  });

  it("the tested binding is the release's CLI; the embedded one is older", () => {
    expect(cliVersion(releaseRuntime())).toBe(CHROMA_RELEASE.cliVersion);
    expect(cliVersion(embeddedRuntime())).toBe('chroma 1.0.0');
  });

  it('the shared e2e server answers the version every Rust release reports', async () => {
    expect(await call<string>(sharedChromaUrl(), '/api/v2/version')).toBe(
      CHROMA_RELEASE.apiVersion,
    );
  });

  it("a test server runs the release's binding", async () => {
    const server = await TestChromaServer.start();
    try {
      const maps = readFileSync(`/proc/${server.pid}/maps`, 'utf8');
      expect(maps).toContain(realpathSync(releaseRuntime().bindingPath));
    } finally {
      await server.destroy();
    }
  });
});

describe('a data folder written by the embedded server opens in the deployed release', () => {
  const RECORDS = 300;
  const DIMENSIONS = 100;
  let written: string;
  let copy: string;

  /** Deterministic float32 vectors, like the default embedder's. */
  const vector = (seed: number): number[] =>
    Array.from({ length: DIMENSIONS }, (_, i) => Math.fround(Math.sin(seed * 7.31 + i * 0.173)));

  const snapshot = async (url: string): Promise<Json> => {
    const [collection] = await call<Json[]>(url, COLLECTIONS);
    const id = collection.id as string;
    const records = await call(url, `${COLLECTIONS}/${id}/get`, {
      include: ['documents', 'metadatas', 'embeddings'],
    });
    const nearest = await call(url, `${COLLECTIONS}/${id}/query`, {
      query_embeddings: [vector(42)],
      n_results: 5,
      include: ['distances'],
    });
    return {
      collection: { id, name: collection.name, metadata: collection.metadata },
      count: await call<number>(url, `${COLLECTIONS}/${id}/count`),
      records,
      nearest: nearest.ids,
    };
  };

  beforeAll(() => {
    written = mkdtempSync(join(tmpdir(), 'chroma-embedded-data-'));
    copy = mkdtempSync(join(tmpdir(), 'chroma-upgraded-data-'));
  });
  afterAll(() => {
    for (const dir of [written, copy]) rmSync(dir, { recursive: true, force: true });
  });

  it('reads back the same collection, ids, documents, metadata and embeddings', async () => {
    const embedded = await ChromaServerProcess.start(written, await findFreePort(), 30_000);
    let before: Json;
    try {
      const collection = await call(embedded.url, COLLECTIONS, {
        name: 'upgrade-check',
        metadata: { 'hnsw:space': 'cosine', embedder: 'glove-100d' },
      });
      const ids = Array.from({ length: RECORDS }, (_, i) => `chunk-${i}`);
      await call(embedded.url, `${COLLECTIONS}/${collection.id as string}/add`, {
        ids,
        embeddings: ids.map((_, i) => vector(i)),
        documents: ids.map((_, i) => `Paragraph ${i} about topic ${i % 7}, with ünïcode.`),
        metadatas: ids.map((_, i) => ({
          documentId: `doc-${i % 13}`,
          chunk: i,
          even: i % 2 === 0,
        })),
      });
      before = await snapshot(embedded.url);
    } finally {
      await embedded.stop();
    }
    expect(before.count).toBe(RECORDS);

    cpSync(written, copy, { recursive: true });
    const deployed = await TestChromaServer.start(copy);
    try {
      expect(await snapshot(deployed.url)).toEqual(before);
    } finally {
      await deployed.stop();
    }
  });
});
