import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import request from 'supertest';
import type { App } from 'supertest/types';
import { INGEST_TEST_ENV, longText, pollJob, relativeName } from './support/ingest-api';
import { docxFixture, pdfFixture } from '../src/ingest/ingest.fixtures';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI as `npm run ingest` runs it, in a child process: stdout is a pipe, not a TTY. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['ts-node', '--transpile-only', 'src/cli/index.ts', 'ingest', ...args],
      { cwd: ROOT, timeout: 120_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The file counts of the `progress` lines, in order, with the total they count towards. */
const progressLines = (stdout: string) =>
  [...stdout.matchAll(/^progress (\d+) % \| (\d+)\/(\d+) files/gm)].map(
    ([, percent, done, of]) => ({
      percent: Number(percent),
      done: Number(done),
      total: Number(of),
    }),
  );

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm run ingest', () => {
  let testApp: TestApp;
  let http: App;
  let url: string;
  let folder: string;
  let token: string;

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl(), ...INGEST_TEST_ENV });
    await testApp.app.listen(0, '127.0.0.1');
    http = testApp.app.getHttpServer() as App;
    const { port } = (testApp.app.getHttpServer() as Server).address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    token = testApp.bearer().slice('Bearer '.length);
    folder = mkdtempSync(join(tmpdir(), 'rag-ingest-cli-'));
    mkdirSync(join(folder, 'handbook', 'it'), { recursive: true });
    writeFileSync(join(folder, 'handbook', 'welcome.md'), longText('welcome', 4));
    writeFileSync(join(folder, 'handbook', 'it', 'laptops.txt'), 'Laptops are replaced yearly.');
    writeFileSync(join(folder, 'page.html'), '<body><nav>x</nav><p>Lunch is at noon.</p></body>');
    writeFileSync(join(folder, 'manual.pdf'), await pdfFixture(['Manual page one.']));
    writeFileSync(join(folder, 'offer.docx'), await docxFixture(['Welcome aboard.']));
    writeFileSync(join(folder, 'broken.pdf'), '%PDF-1.4 broken');
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const env = () => ({ RAG_API_URL: url, RAG_API_TOKEN: token });

  it('uploads a folder in batches, reports failed files and exits 1, then 0 when re-run clean', async () => {
    const collection = `ingest-cli-${Date.now()}`;
    const first = await runCli([folder, '--collection', collection, '--batch-files', '2'], env());
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/jobs: 3 \(0 not succeeded\)/);
    expect(first.stdout).toMatch(/files: 6, failed: 1, skipped: 0/);
    expect(first.stdout).toMatch(/failed: broken\.pdf: unreadable PDF/);

    unlinkSync(join(folder, 'broken.pdf'));
    const second = await runCli([folder, '--collection', collection], env());
    writeFileSync(join(folder, 'broken.pdf'), '%PDF-1.4 broken');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/files: 5, failed: 0/);
    const [, done, unchanged] = /chunks: (\d+) \(unchanged: (\d+)\)/.exec(second.stdout) ?? [];
    expect(Number(done)).toBeGreaterThan(0);
    expect(unchanged).toBe(done);
  });

  it('counts every file first and moves its progress only forward, to 100 % before the summary', async () => {
    const collection = `ingest-cli-progress-${Date.now()}`;
    const { stdout } = await runCli(
      [folder, '--collection', collection, '--batch-files', '1', '--jobs', '1'],
      env(),
    );
    const lines = progressLines(stdout);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    // The total is the folder's file count from the first line on, never 0/0.
    expect(lines.map((line) => line.total)).toEqual(lines.map(() => 6));
    expect(lines[0]).toEqual({ percent: 0, done: 0, total: 6 });
    for (let i = 1; i < lines.length; i++) {
      expect(lines[i].done).toBeGreaterThan(lines[i - 1].done);
      expect(lines[i].percent).toBeGreaterThan(lines[i - 1].percent);
    }
    expect(lines.at(-1)).toEqual({ percent: 100, done: 6, total: 6 });
    expect(stdout.lastIndexOf('progress ')).toBeLessThan(stdout.indexOf('jobs: '));
  });

  it('prints the id of every job, each one the API knows, and never the token', async () => {
    const collection = `ingest-cli-ids-${Date.now()}`;
    const run = await runCli([folder, '--collection', collection, '--batch-files', '3'], env());
    const accepted = [...run.stdout.matchAll(new RegExp(`^job (${UUID}) accepted`, 'gm'))];
    const summarized = [...run.stdout.matchAll(new RegExp(`^job (${UUID}) succeeded`, 'gm'))];
    expect(accepted.map(([, id]) => id)).toHaveLength(2);
    expect(summarized.map(([, id]) => id).sort()).toEqual(accepted.map(([, id]) => id).sort());
    for (const [, id] of accepted) {
      const { body } = await request(http)
        .get(`/ingest/jobs/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(body).toMatchObject({ id, collection, state: 'succeeded' });
    }
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(run.stdout + run.stderr).not.toContain(token.slice(-20));
  });

  it('refuses a --token flag without echoing it, and needs RAG_API_TOKEN', async () => {
    const flagged = await runCli([folder, '--token', token], { RAG_API_URL: url });
    expect(flagged.code).toBe(2);
    expect(flagged.stdout).toContain('set RAG_API_TOKEN');
    expect(flagged.stdout + flagged.stderr).not.toContain(token.slice(-20));

    const missing = await runCli([folder], { RAG_API_URL: url, RAG_API_TOKEN: '' });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('RAG_API_TOKEN is not set');
  });

  it('names the URL that did not answer, and why', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli([folder], { RAG_API_URL: dead, RAG_API_TOKEN: token });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`could not reach ${dead} (ECONNREFUSED)`);
    expect(run.stderr).toContain('RAG_API_URL');
    expect(run.stderr).not.toContain('fetch failed');
  });

  it('skips empty files (no bytes, a DOCX without text) and exits 0', async () => {
    const empties = mkdtempSync(join(tmpdir(), 'rag-ingest-cli-empty-'));
    try {
      writeFileSync(join(empties, 'empty.docx'), await docxFixture([]));
      writeFileSync(join(empties, 'zero.txt'), '');
      writeFileSync(join(empties, 'blank.md'), '\n  \n');
      writeFileSync(join(empties, 'real.txt'), 'Parking is free on weekends.');
      const run = await runCli([empties, '--collection', `ingest-cli-empty-${Date.now()}`], env());
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/files: 4, failed: 0, skipped: 3/);
      expect(run.stdout).toMatch(/^skipped: empty\.docx: no text to index$/m);
      expect(run.stdout).toMatch(/^skipped: zero\.txt: empty file$/m);
      expect(run.stdout).toMatch(/^skipped: blank\.md: no text to index$/m);
    } finally {
      rmSync(empties, { recursive: true, force: true });
    }
  });

  it('gives a file the id an HTTP upload of the same folder gives it: stored once', async () => {
    const collection = `ingest-cli-same-id-${Date.now()}`;
    const bearer = `Bearer ${token}`;
    const cli = await runCli([folder, '--collection', collection], env());
    expect(cli.stdout).toMatch(/failed: 1/);

    const upload = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', bearer)
      .field('collection', collection)
      .attach(
        'files',
        Buffer.from('Laptops are replaced yearly.'),
        relativeName('handbook/it/laptops.txt'),
      )
      .expect(202);
    const { job } = await pollJob(http, bearer, (upload.body as { id: string }).id);
    expect(job.documents).toEqual({ total: 1, done: 1, unchanged: 1 });
    await request(http)
      .get(`/chroma/documents/${encodeURIComponent('handbook/it/laptops.txt')}`)
      .query({ collection })
      .set('Authorization', bearer)
      .expect(200);
  });
});
