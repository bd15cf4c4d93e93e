import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaServerProcess, findFreePort } from '../../src/vector-store/chroma-server.process';
import { releaseRuntime } from './chroma-runtime';

const STARTUP_TIMEOUT_MS = 30_000;
/**
 * Chroma 1.5.9 answers SIGTERM with "shutting down service" but its CLI never returns (seen
 * here with 30 s of grace), so stop() ends in SIGKILL; a short grace saves 4.5 s per stop.
 * Its local store is crash-safe: the embedded 1.0.x server already dies at SIGTERM at once.
 */
const STOP_GRACE_MS = 500;

/**
 * A real Chroma server of the deployed release (see chroma-release.ts) on a free loopback port
 * and a temp folder, for e2e tests.
 */
export class TestChromaServer {
  private constructor(
    private server: ChromaServerProcess,
    readonly dir: string,
  ) {}

  static async start(dir = mkdtempSync(join(tmpdir(), 'chroma-e2e-'))): Promise<TestChromaServer> {
    const server = await ChromaServerProcess.start(
      dir,
      await findFreePort(),
      STARTUP_TIMEOUT_MS,
      releaseRuntime(),
    );
    return new TestChromaServer(server, dir);
  }

  get url(): string {
    return this.server.url;
  }

  /** Pid of the real server process. */
  get pid(): number {
    return this.server.pid;
  }

  async stop(): Promise<void> {
    await this.server.stop(STOP_GRACE_MS);
  }

  /** Crashes the server (SIGKILL) and waits until it is gone. */
  async kill9(): Promise<void> {
    this.server.kill9();
    await this.server.exited;
  }

  /** Starts the server again on the same folder and port. */
  async restart(): Promise<void> {
    await this.stop();
    this.server = await ChromaServerProcess.start(
      this.dir,
      this.server.port,
      STARTUP_TIMEOUT_MS,
      releaseRuntime(),
    );
  }

  /** Stops the server and deletes its folder. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
