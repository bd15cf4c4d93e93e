import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { explainListenError } from '../common/port-in-use';
import { resolveChromaBinding } from './chroma-binding';

/**
 * Code of the child process. The Chroma server runs inside the native binding's `cli()`, which
 * blocks its thread for good, so it runs in a worker thread and the main thread stays free to
 * act as a watchdog: when our stdin pipe closes (the parent exited, even by SIGKILL) the child
 * terminates itself, so no orphan keeps writing to the data folder.
 */
const CHILD_ENTRY = `
const { Worker } = require('node:worker_threads');
const [bindingPath, ...args] = process.argv.slice(1);
const runCli = 'require(require("node:worker_threads").workerData).cli(["chroma", ...process.argv.slice(2)])';
const worker = new Worker(runCli, { eval: true, argv: args, workerData: bindingPath });
worker.on('error', (error) => { console.error(error); process.exit(1); });
worker.on('exit', (code) => process.exit(code || 1));
const terminate = () => {
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 5000).unref();
};
process.stdin.on('end', terminate).on('error', terminate).resume();
`;

const OUTPUT_TAIL_CHARS = 4000;

/** Which Chroma server build runs, and how node is started for it. */
export interface ChromaServerRuntime {
  /** Path of the native binding package whose `cli()` runs the server. */
  bindingPath: string;
  /** Command that starts node in place of node itself, e.g. a newer glibc's dynamic loader. */
  launcher: string[];
}

/**
 * The server `npm start` runs: the binding chromadb's own CLI loads (pinned in package.json
 * `overrides`), started by this node.
 */
export const embeddedRuntime = (): ChromaServerRuntime => ({
  bindingPath: resolveChromaBinding(),
  launcher: [],
});

/** The command that runs a Chroma server as our watchdogged child: node with CHILD_ENTRY. */
export function chromaServerCommand(
  path: string,
  port: number,
  runtime: ChromaServerRuntime = embeddedRuntime(),
): { command: string; args: string[] } {
  const [command, ...launcherArgs] = [...runtime.launcher, process.execPath];
  return {
    command,
    args: [
      ...launcherArgs,
      '-e',
      CHILD_ENTRY,
      '--',
      runtime.bindingPath,
      'run',
      '--path',
      path,
      '--port',
      String(port),
    ],
  };
}

/** Listens on a loopback port (0 = any free one) and closes again; returns the port. */
async function probePort(port: number): Promise<number> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    // Only a fixed port can be taken, and CHROMA_EMBEDDED_PORT is the one that fixes it.
    throw explainListenError(error, port, 'CHROMA_EMBEDDED_PORT');
  }
  const address = server.address() as AddressInfo;
  server.close();
  return address.port;
}

/** Asks the OS for a free loopback port. */
export const findFreePort = (): Promise<number> => probePort(0);

export interface ChromaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One running Chroma server process persisting to `path` and listening on 127.0.0.1:`port`. */
export class ChromaServerProcess {
  readonly url: string;
  /** Settles when the process has exited, whoever stopped it. */
  readonly exited: Promise<ChromaExit>;
  private output = '';
  private exit?: ChromaExit;

  private constructor(
    private readonly child: ChildProcess,
    readonly path: string,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    const keepTail = (chunk: Buffer): void => {
      // eslint-disable-next-line no-control-regex -- strips the colours of Chroma's banner
      const text = chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      this.output = (this.output + text).slice(-OUTPUT_TAIL_CHARS);
    };
    // Chroma logs to stdout as well as stderr; both are kept so a failure can be explained.
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /**
   * Starts a server and waits for its heartbeat. The port must be free beforehand: a server
   * already on it would answer the heartbeat in place of ours.
   */
  static async start(
    path: string,
    port: number,
    timeoutMs: number,
    runtime?: ChromaServerRuntime,
  ): Promise<ChromaServerProcess> {
    await probePort(port);
    const server = ChromaServerProcess.spawn(path, port, runtime);
    try {
      await server.waitUntilReady(timeoutMs);
    } catch (error) {
      await server.stop(0);
      throw error;
    }
    return server;
  }

  /** Spawns the server; it is not ready before `waitUntilReady` resolves. */
  static spawn(path: string, port: number, runtime?: ChromaServerRuntime): ChromaServerProcess {
    const { command, args } = chromaServerCommand(path, port, runtime);
    // Own process group, so stop() can signal everything the server started. stdin stays an
    // open pipe for the child's whole life: its closing is how the child learns we died.
    const child = spawn(command, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      throw new Error(`could not start the Chroma server for ${path}`);
    }
    return new ChromaServerProcess(child, path, port);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** The last lines the server printed, for error messages. */
  get outputTail(): string {
    return this.output.trim();
  }

  /** Polls the heartbeat until it answers; fails early with the output tail if the server dies. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(this.failure(`exited (${this.describeExit()}) during startup`));
      }
      if (await this.answersHeartbeat()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(this.failure(`did not answer its heartbeat within ${timeoutMs} ms`));
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 5000): Promise<ChromaExit> {
    if (this.exit) return this.exit;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Simulates a crash: SIGKILL of the server process itself. */
  kill9(): void {
    process.kill(this.pid, 'SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  private async answersHeartbeat(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/api/v2/heartbeat`, {
        signal: AbortSignal.timeout(1000),
      });
      return response.ok;
    } catch {
      return false;
    }
  }

  private describeExit(): string {
    return this.exit?.signal ? `signal ${this.exit.signal}` : `code ${this.exit?.code}`;
  }

  private failure(what: string): string {
    const tail = this.outputTail;
    return `Chroma server for ${this.path} on port ${this.port} ${what}${tail ? `; last output:\n${tail}` : ''}`;
  }
}
