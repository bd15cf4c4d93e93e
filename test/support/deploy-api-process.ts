import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { findFreePort } from '../../src/vector-store/chroma-server.process';
import { waitFor } from './processes';

const ROOT = join(__dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;

/**
 * Builds dist/ when it is missing or older than src/ (the check `npm start` uses), so a test runs
 * the code under test; CI has built it already.
 */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-build.js')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** The built API (`node dist/main.js`) as its own process, like the `api` container. */
export class ApiProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /**
   * Starts the built API (building it first if needed) and waits until /health answers 200.
   * `root` runs another copy of the app instead, such as the production image's file set.
   */
  static async start(env: Record<string, string>, root = ROOT): Promise<ApiProcess> {
    if (root === ROOT) ensureBuilt();
    const port = await findFreePort();
    const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`);
    try {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`the API exited: ${api.output}`);
        try {
          return (await fetch(`${api.url}/health`)).status === 200;
        } catch {
          return false;
        }
      }, READY_TIMEOUT_MS);
    } catch (error) {
      await api.stop();
      throw new Error(`${(error as Error).message}\n${api.output}`);
    }
    return api;
  }

  /** Pid of the API process, for reading its memory under /proc. */
  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
}
