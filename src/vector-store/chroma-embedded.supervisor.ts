import { Logger } from '@nestjs/common';
import { VectorStoreUnavailableError } from '../common/domain-errors';
import { resolveChromaBinding } from './chroma-binding';
import { ChromaServerProcess, findFreePort, type ChromaExit } from './chroma-server.process';
import { DataFolderLock } from './data-folder.lock';

export interface EmbeddedChromaOptions {
  path: string;
  /** 0 picks a free loopback port once; restarts keep it so clients need no new URL. */
  port: number;
  startupTimeoutMs: number;
  restartMaxBackoffMs: number;
  /** First restart delay; doubles on each consecutive failure. */
  restartBaseDelayMs?: number;
  /** Uptime after which a crash counts as new rather than part of a crash loop. */
  healthyPeriodMs?: number;
  /** Time the server gets to exit on SIGTERM before it is SIGKILLed. */
  stopGraceMs?: number;
}

/** Exponential restart delays: base, 2·base, 4·base … capped at max, until reset. */
export class RestartBackoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  next(): number {
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.failures += 1;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}

type State = 'stopped' | 'running' | 'restarting';

/**
 * Runs the real Chroma server as a child process on a loopback port, persisting to one data
 * folder it holds a lock on, and restarts it with backoff whenever it dies.
 */
export class ChromaEmbeddedSupervisor {
  private readonly logger = new Logger('ChromaEmbedded');
  private readonly backoff: RestartBackoff;
  private state: State = 'stopped';
  private lock?: DataFolderLock;
  private server?: ChromaServerProcess;
  private port?: number;
  private readyAt = 0;
  private restartTimer?: NodeJS.Timeout;
  private launching?: Promise<void>;
  private restartCount = 0;

  constructor(private readonly options: EmbeddedChromaOptions) {
    this.backoff = new RestartBackoff(
      options.restartBaseDelayMs ?? 250,
      options.restartMaxBackoffMs,
    );
  }

  /** Base URL of the server; stable across restarts. */
  get url(): string {
    if (this.port === undefined) throw new Error('the embedded Chroma server was never started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Pid of the current server process, if one is running. */
  get pid(): number | undefined {
    return this.server && !this.server.hasExited ? this.server.pid : undefined;
  }

  get restarts(): number {
    return this.restartCount;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /**
   * Locks the folder (throwing at once if another process holds it), starts the server and
   * waits for its heartbeat.
   */
  async start(): Promise<void> {
    if (this.state !== 'stopped') throw new Error('the embedded Chroma server is already started');
    resolveChromaBinding();
    this.lock = DataFolderLock.acquire(this.options.path);
    try {
      this.port = this.options.port || (await findFreePort());
      this.backoff.reset();
      this.state = 'restarting';
      await this.launch();
    } catch (error) {
      this.state = 'stopped';
      this.lock.release();
      this.lock = undefined;
      throw error;
    }
  }

  /** Fails fast while the server is down, instead of letting callers wait on a dead port. */
  assertAvailable(): void {
    if (this.state !== 'running') {
      throw new VectorStoreUnavailableError(
        this.state === 'restarting'
          ? 'the embedded vector store is restarting; retry shortly'
          : 'the embedded vector store is stopped',
      );
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after the grace period) and releases the folder. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.restartTimer);
    await this.launching?.catch(() => undefined);
    await this.server?.stop(this.options.stopGraceMs ?? 5000);
    this.server = undefined;
    this.lock?.release();
    this.lock = undefined;
  }

  /** Starts a server; stop() awaits a launch in progress so it never leaves one running. */
  private launch(): Promise<void> {
    this.launching = this.startServer().finally(() => (this.launching = undefined));
    return this.launching;
  }

  private async startServer(): Promise<void> {
    const server = await ChromaServerProcess.start(
      this.options.path,
      this.port as number,
      this.options.startupTimeoutMs,
    );
    // stop() may have run while we waited; the server is then ours to stop.
    if (this.state === 'stopped') {
      await server.stop(0);
      return;
    }
    this.server = server;
    this.state = 'running';
    this.readyAt = Date.now();
    void server.exited.then((exit) => this.onExit(server, exit));
  }

  private onExit(server: ChromaServerProcess, exit: ChromaExit): void {
    if (this.state === 'stopped' || server !== this.server) return;
    this.state = 'restarting';
    if (Date.now() - this.readyAt >= (this.options.healthyPeriodMs ?? 60_000)) {
      this.backoff.reset();
    }
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    this.logger.error(
      `Chroma server (pid ${server.pid}) exited with ${how}:\n${server.outputTail}`,
    );
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.backoff.next();
    this.logger.warn(`restarting the Chroma server in ${delay} ms`);
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  /** Runs from the restart timer, which stop() clears. */
  private async restart(): Promise<void> {
    try {
      await this.launch();
      this.restartCount += 1;
      this.logger.log(`Chroma server restarted (pid ${this.server?.pid}) on ${this.url}`);
    } catch (error) {
      if (this.state === 'stopped') return;
      this.logger.error(`Chroma server restart failed: ${(error as Error).message}`);
      this.scheduleRestart();
    }
  }
}
