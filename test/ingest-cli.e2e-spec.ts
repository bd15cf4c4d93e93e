import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { INGEST_TEST_ENV, longText } from './support/ingest-api';
import { docxFixture, pdfFixture } from '../src/ingest/ingest.fixtures';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');

/** The real CLI as `npm run ingest` runs it, in a child process. */
function runCli(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['ts-node', '--transpile-only', 'src/cli/index.ts', 'ingest', ...args],
      { cwd: ROOT, timeout: 120_000 },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

describe('npm run ingest', () => {
  let testApp: TestApp;
  let url: string;
  let folder: string;

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl(), ...INGEST_TEST_ENV });
    await testApp.app.listen(0, '127.0.0.1');
    const { port } = (testApp.app.getHttpServer() as Server).address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
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

  it('uploads a folder in batches, reports failed files and exits 1, then 0 when re-run clean', async () => {
    const collection = `ingest-cli-${Date.now()}`;
    const args = [folder, '--url', url, '--token', testApp.bearer().slice('Bearer '.length)];
    const first = await runCli([...args, '--collection', collection, '--batch-files', '2']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/jobs: 3 \(0 not succeeded\)/);
    expect(first.stdout).toMatch(/files: 6, failed: 1/);
    expect(first.stdout).toMatch(/failed: broken\.pdf: unreadable PDF/);

    unlinkSync(join(folder, 'broken.pdf'));
    const second = await runCli([...args, '--collection', collection]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/files: 5, failed: 0/);
    const [, done, unchanged] = /chunks: (\d+) \(unchanged: (\d+)\)/.exec(second.stdout) ?? [];
    expect(Number(done)).toBeGreaterThan(0);
    expect(unchanged).toBe(done);
  });

  it('prints its usage and exits 2 without a token', async () => {
    const { code, stdout } = await runCli([folder]);
    expect(code).toBe(2);
    expect(stdout).toContain('--collection');
  });
});
