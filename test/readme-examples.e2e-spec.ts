import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestChromaServer } from './support/chroma-server';
import { listenOnLoopback } from './support/openapi-server';
import { linesMismatch, readmeSteps, shapeMismatch } from './support/readme-examples';
import { createTestApp, type TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const steps = readmeSteps(readFileSync(join(ROOT, 'README.md'), 'utf8'));

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the steps in one bash, in order (a step's variables are the next one's), each one's
 * output and exit code kept apart. `localhost:3000` in the commands becomes the test's API.
 */
function runSteps(baseUrl: string, env: Record<string, string>): Promise<StepRun[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'rag-readme-'));
  const script = steps
    .map(
      ({ script: step }, i) =>
        `{\n${step.replaceAll('localhost:3000', baseUrl)}\n} >"${outDir}/${i}.out" 2>"${outDir}/${i}.err"\necho $? >"${outDir}/${i}.rc"`,
    )
    .join('\n');
  writeFileSync(join(outDir, 'script.sh'), script);
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(outDir, 'script.sh')],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 300_000 },
      (error) => {
        if (error) {
          reject(new Error(`the examples' script did not run: ${error.message}`));
          return;
        }
        const read = (i: number, ext: string) => readFileSync(join(outDir, `${i}.${ext}`), 'utf8');
        resolve(
          steps.map((_, i) => ({
            code: Number(read(i, 'rc')),
            stdout: read(i, 'out'),
            stderr: read(i, 'err'),
          })),
        );
        rmSync(outDir, { recursive: true, force: true });
      },
    );
  });
}

describe("the README's examples, run in order against a fresh API", () => {
  let chroma: TestChromaServer;
  let testApp: TestApp;
  let runs: StepRun[];

  beforeAll(async () => {
    chroma = await TestChromaServer.start();
    testApp = await createTestApp({ CHROMA_HOST: chroma.url });
    const baseUrl = await listenOnLoopback(testApp);
    // `npm run token` signs with the key pair under the API's DATA_DIR, as on a developer's machine.
    runs = await runSteps(baseUrl.replace(/^http:\/\//, ''), {
      DATA_DIR: testApp.dataDir,
      RAG_API_URL: baseUrl,
    });
  }, 300_000);

  afterAll(async () => {
    await testApp?.close();
    await chroma?.destroy();
  });

  it('has examples, most of them with the answer they promise', () => {
    expect(steps.length).toBeGreaterThanOrEqual(10);
    expect(steps.filter((step) => step.expected).length).toBeGreaterThanOrEqual(10);
  });

  it.each(steps.map((step, i) => [i, step.script.trim().split('\n').at(-1), step] as const))(
    'step %i (%s) exits 0 and answers the shape shown',
    (i, _title, step) => {
      const run = runs[i];
      // stderr is shown when the step fails, not required empty: a command may warn there
      // (npm run token names the DATA_DIR it signs for).
      expect({ script: step.script, code: run.code, stderr: run.stderr }).toEqual({
        script: step.script,
        code: 0,
        stderr: expect.any(String) as unknown,
      });
      const { expected } = step;
      if (!expected) return;
      let mismatch: string | undefined;
      if ('json' in expected) {
        let actual: unknown;
        try {
          actual = JSON.parse(run.stdout) as unknown;
        } catch {
          mismatch = `not JSON: ${run.stdout}`;
        }
        mismatch ??= shapeMismatch(expected.json, actual);
      } else mismatch = linesMismatch(expected.lines, run.stdout);
      expect({ script: step.script, mismatch, output: run.stdout }).toEqual({
        script: step.script,
        mismatch: undefined,
        output: run.stdout,
      });
    },
  );
});
