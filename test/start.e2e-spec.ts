import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOVE_FILE_NAME } from '../src/embeddings/glove-format';
import { findFreePort } from '../src/vector-store/chroma-server.process';
import { ensureBuilt } from './support/deploy-api-process';
import { waitFor } from './support/processes';
import { sharedChromaUrl, TEST_MODELS_DIR } from './support/test-app';

const ROOT = join(__dirname, '..');

/** Whether a process whose command line mentions `text` runs (read from /proc: no pgrep needed). */
const processMentioning = (text: string): boolean =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // it ended meanwhile
      }
    });

/** `node dist/main.js` as `npm start` runs it, stdout and stderr kept whole. */
class Started {
  stdout = '';
  stderr = '';
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  }

  /** Every stdout line, each of which must be JSON (stdout is a pipe here, not a terminal). */
  get records(): { level: number; msg: string; context?: string }[] {
    return this.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: number; msg: string; context?: string });
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

describe('starting the built API', () => {
  const dataDirs: string[] = [];
  const started: Started[] = [];
  const blockers: Server[] = [];

  beforeAll(() => ensureBuilt(), 180_000);
  afterAll(async () => {
    for (const api of started) await api.kill();
    for (const blocker of blockers) blocker.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>): Started => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rag-start-'));
    dataDirs.push(dataDir);
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        MODELS_DIR: TEST_MODELS_DIR,
        CHROMA_HOST: sharedChromaUrl(),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new Started(child);
    started.push(api);
    return api;
  };

  /** A real listener holding a port, as another program would. */
  const occupiedPort = async (): Promise<number> => {
    const blocker = createServer();
    blockers.push(blocker);
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    return (blocker.address() as { port: number }).port;
  };

  it.each([
    ['PORT', (busy: number, free: number) => ({ PORT: String(busy), METRICS_PORT: String(free) })],
    [
      'METRICS_PORT',
      (busy: number, free: number) => ({ PORT: String(free), METRICS_PORT: String(busy) }),
    ],
  ])(
    'stops with one line naming %s when its port is taken, logs written first',
    async (setting, ports) => {
      const busy = await occupiedPort();
      const api = start(ports(busy, await findFreePort()));
      const [code] = await api.exited;
      expect(code).toBe(1);
      expect(api.stderr.trim()).toBe(
        `Port ${busy} is already in use: set ${setting} to a free port`,
      );
      // What was logged before the failure is out, not lost in a buffer.
      expect(api.records.map((record) => record.context)).toContain('Auth');
    },
    60_000,
  );

  it('logs JSON to a pipe, one ready line with the URLs and no route list, and its shutdown', async () => {
    const port = await findFreePort();
    const api = start({ PORT: String(port), METRICS_PORT: '0' });
    const ready = () => api.records.filter((record) => record.msg.startsWith('API ready on'));
    await waitFor(() => {
      if (api.child.exitCode !== null) throw new Error(`the API exited: ${api.stderr}`);
      return ready().length > 0;
    }, 60_000);
    const [line] = ready();
    expect(ready()).toHaveLength(1);
    expect(line.msg).toMatch(
      new RegExp(
        `^API ready on http://127\\.0\\.0\\.1:${port} · Swagger UI http://127\\.0\\.0\\.1:${port}/docs · metrics http://127\\.0\\.0\\.1:\\d+/metrics$`,
      ),
    );
    // The Swagger URL it names answers.
    expect((await fetch(`http://127.0.0.1:${port}/docs`)).status).toBe(200);
    const messages = api.records.map((record) => record.msg);
    expect(messages.filter((message) => /Mapped \{/.test(message))).toEqual([]);
    expect(messages).not.toContain('Nest application successfully started');

    api.child.kill('SIGTERM');
    const [code] = await api.exited;
    expect(code).toBe(0);
    // A warm-up may still finish while shutting down; nothing is logged after "stopped".
    const after = api.records.map((record) => record.msg);
    expect(after.indexOf('SIGTERM received: shutting down')).toBeGreaterThan(-1);
    expect(after.indexOf('SIGTERM received: shutting down')).toBeLessThan(after.length - 1);
    expect(after.at(-1)).toBe('stopped');
    expect(api.stderr).toBe('');
  }, 120_000);

  it('stops at once when told to during the first GloVe conversion, and kills the converter', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'rag-start-models-'));
    dataDirs.push(modelsDir);
    const api = start({
      PORT: String(await findFreePort()),
      METRICS_PORT: '0',
      MODELS_DIR: modelsDir,
    });
    await waitFor(() => {
      if (api.child.exitCode !== null) throw new Error(`the API exited: ${api.stderr}`);
      return api.records.some((record) => record.msg.startsWith('API ready on'));
    }, 60_000);
    // The conversion takes seconds; the API answers meanwhile.
    expect(processMentioning(join(modelsDir, GLOVE_FILE_NAME))).toBe(true);

    api.child.kill('SIGTERM');
    const [code] = await api.exited;
    expect(code).toBe(0);
    expect(processMentioning(join(modelsDir, GLOVE_FILE_NAME))).toBe(false);
    expect(readdirSync(modelsDir)).not.toContain(GLOVE_FILE_NAME);
    // A cancelled warm-up is not reported as a failure.
    expect(api.records.filter((record) => record.level >= 50)).toEqual([]);
    expect(api.records.at(-1)?.msg).toBe('stopped');
  }, 120_000);
});
