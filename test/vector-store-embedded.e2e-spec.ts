import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { VectorStoreUnavailableError } from '../src/common/domain-errors';
import { ConfigModule } from '../src/config/config.module';
import { ENV, parseEnv } from '../src/config/env';
import { HNSW_DEFAULTS } from '../src/config/env.schema';
import type { EmbedderFingerprint } from '../src/embeddings/embedder.port';
import {
  ChromaEmbeddedSupervisor,
  type EmbeddedChromaOptions,
} from '../src/vector-store/chroma-embedded.supervisor';
import { ChromaHttpStore, createChromaClient } from '../src/vector-store/chroma-http.store';
import {
  ChromaServerProcess,
  chromaServerCommand,
  findFreePort,
} from '../src/vector-store/chroma-server.process';
import { RequestDeadline } from '../src/vector-store/request-deadline';
import { VectorStoreModule } from '../src/vector-store/vector-store.module';
import { VectorStore } from '../src/vector-store/vector-store.port';
import { processesUsing, waitFor } from './support/processes';

const FP: EmbedderFingerprint = { provider: 'test', model: 'embedded', dimension: 2 };

const storeOn = (supervisor: ChromaEmbeddedSupervisor): ChromaHttpStore => {
  const deadline = new RequestDeadline('the vector store');
  return new ChromaHttpStore(
    createChromaClient({ url: supervisor.url, authHeader: 'Authorization' }, deadline),
    {
      strategy: 'embedded',
      timeoutMs: 5000,
      deadline,
      assertAvailable: () => supervisor.assertAvailable(),
    },
  );
};

describe('embedded Chroma supervisor', () => {
  let folder: string;
  let options: EmbeddedChromaOptions;
  const supervisors: ChromaEmbeddedSupervisor[] = [];

  const supervisor = (): ChromaEmbeddedSupervisor => {
    const created = new ChromaEmbeddedSupervisor(options);
    supervisors.push(created);
    return created;
  };

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'chroma-embedded-e2e-'));
    options = {
      path: folder,
      port: 0,
      startupTimeoutMs: 30_000,
      restartMaxBackoffMs: 2000,
      restartBaseDelayMs: 100,
    };
  });

  afterAll(async () => {
    await Promise.all(supervisors.map((s) => s.stop()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('starts, persists across stop/start, survives kill -9 and leaves no process behind', async () => {
    const first = supervisor();
    let started = Date.now();
    await first.start();
    console.log(`embedded Chroma: spawn to first heartbeat ${Date.now() - started} ms`);
    expect(first.running).toBe(true);
    expect(processesUsing(folder)).toEqual([first.pid]);

    const store = storeOn(first);
    await store.ensureCollection('persisted', FP);
    await store.upsert('persisted', [
      { id: 'a', embedding: [1, 0], text: 'alpha', metadata: { n: 1 } },
      { id: 'b', embedding: [0, 1], text: 'beta', metadata: { n: 2 } },
    ]);

    await first.stop();
    expect(processesUsing(folder)).toEqual([]);
    await expect(store.heartbeat()).rejects.toThrow(VectorStoreUnavailableError);

    started = Date.now();
    await first.start();
    console.log(`embedded Chroma: restart after stop ${Date.now() - started} ms`);
    const reopened = storeOn(first);
    await expect(reopened.describeCollection('persisted')).resolves.toEqual({
      name: 'persisted',
      count: 2,
      fingerprint: FP,
      // The HNSW configuration the collection was created with survives the restart too.
      index: { space: 'cosine', ...HNSW_DEFAULTS },
    });

    const crashedPid = first.pid as number;
    started = Date.now();
    process.kill(crashedPid, 'SIGKILL');
    await waitFor(() => !first.running, 5000);
    // While it restarts, calls fail fast instead of waiting on a dead port.
    const failing = Date.now();
    await expect(reopened.heartbeat()).rejects.toThrow(/restarting/);
    expect(Date.now() - failing).toBeLessThan(100);
    await waitFor(() => first.running, 20_000);
    console.log(`embedded Chroma: back up ${Date.now() - started} ms after kill -9`);
    expect(first.restarts).toBe(1);
    expect(first.pid).not.toBe(crashedPid);
    const hits = await reopened.query('persisted', [1, 0], 1);
    expect(hits).toEqual([
      { id: 'a', text: 'alpha', metadata: { n: 1 }, score: expect.any(Number) },
    ]);

    await first.stop();
    expect(processesUsing(folder)).toEqual([]);
  });

  it('refuses a second supervisor on the same folder at once', async () => {
    const holder = supervisor();
    await holder.start();
    const started = Date.now();
    await expect(supervisor().start()).rejects.toThrow(
      `the Chroma data folder ${folder} is already in use by process ${process.pid}`,
    );
    expect(Date.now() - started).toBeLessThan(200);
    expect(processesUsing(folder)).toEqual([holder.pid]);
    await holder.stop();
  });

  it('refuses a port another server already listens on', async () => {
    const port = await findFreePort();
    const taken = await ChromaServerProcess.start(folder, port, 30_000);
    const other = mkdtempSync(join(tmpdir(), 'chroma-embedded-e2e-'));
    try {
      const clash = new ChromaEmbeddedSupervisor({ ...options, path: other, port });
      await expect(clash.start()).rejects.toThrow(
        `Port ${port} is already in use: set CHROMA_EMBEDDED_PORT to a free port`,
      );
      // The failed start released the folder.
      const retry = supervisor();
      await retry.start();
      await retry.stop();
    } finally {
      await taken.stop();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("explains a failed startup with the server's output", async () => {
    const notAFolder = join(folder, '.rag-api-not-a-folder');
    writeFileSync(notAFolder, '');
    await expect(
      ChromaServerProcess.start(notAFolder, await findFreePort(), 30_000),
    ).rejects.toThrow(/exited \(.*\) during startup; last output:\n/);
  });

  it('does not outlive a parent that is SIGKILLed', async () => {
    const port = await findFreePort();
    const { command, args } = chromaServerCommand(folder, port);
    // A stand-in for the API: spawns the server like the supervisor does and prints its pid.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.argv[1], JSON.parse(process.argv[2]),
           { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
         console.log(c.pid); setInterval(() => {}, 1000);`,
        command,
        JSON.stringify(args),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const childPid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    const server = `http://127.0.0.1:${port}/api/v2/heartbeat`;
    await waitFor(() => processesUsing(folder).includes(childPid), 5000);
    for (let ok = false; !ok;) {
      ok = await fetch(server).then(
        (response) => response.ok,
        () => false,
      );
    }
    parent.kill('SIGKILL');
    await waitFor(() => processesUsing(folder).length === 0, 10_000);
  });
});

describe('VectorStoreModule', () => {
  const boot = async (
    env: Record<string, string | undefined>,
  ): Promise<INestApplicationContext> => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, VectorStoreModule],
    })
      .overrideProvider(ENV)
      .useValue(parseEnv(env))
      .compile();
    return moduleRef.init();
  };

  it('runs the embedded strategy by default and stops it on shutdown', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'chroma-module-e2e-'));
    const app = await boot({ CHROMA_PATH: folder });
    const store = app.get(VectorStore);
    expect(store.strategy).toBe('embedded');
    await store.heartbeat();
    expect(processesUsing(folder)).toHaveLength(1);
    await app.close();
    expect(processesUsing(folder)).toEqual([]);
    rmSync(folder, { recursive: true, force: true });
  });

  it('uses the configured server over HTTP when CHROMA_HOST is set', async () => {
    const app = await boot({ CHROMA_HOST: process.env.TEST_CHROMA_URL });
    const store = app.get(VectorStore);
    expect(store.strategy).toBe('http');
    await store.heartbeat();
    await app.close();
  });
});
