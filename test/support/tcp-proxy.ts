import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * How the proxy treats traffic: `pass` forwards it, `delay` forwards each chunk after `delayMs`,
 * `drop` resets new and open connections, `blackhole` accepts connections and never answers.
 */
export type ProxyMode = 'pass' | 'delay' | 'drop' | 'blackhole';

/** A loopback TCP proxy in front of `target` whose behaviour a test switches at will. */
export class TcpProxy {
  private mode: ProxyMode = 'pass';
  private delayMs = 0;
  private readonly sockets = new Set<Socket>();
  private hold?: { marker: string; left: number; reached: () => void };

  private constructor(private readonly server: Server) {}

  static async start(target: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(target);
    const proxy: TcpProxy = new TcpProxy(
      createServer((client) => proxy.accept(client, hostname, Number(port))),
    );
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Switches behaviour; `drop` and `blackhole` also cut the connections already open. */
  set(mode: ProxyMode, delayMs = 0): void {
    this.mode = mode;
    this.delayMs = delayMs;
    if (mode === 'drop' || mode === 'blackhole') {
      for (const socket of this.sockets) socket.destroy();
    }
  }

  /**
   * Resolves when the `nth` client write containing `marker` (an HTTP request line, say)
   * arrives; that write and everything after it on its connection is held back, never
   * forwarded, so the test decides what the server sees next.
   */
  holdAt(marker: string, nth = 1): Promise<void> {
    return new Promise((reached) => {
      this.hold = { marker, left: nth, reached };
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  /** Whether this client write is the one `holdAt` waits for. */
  private holds(chunk: Buffer): boolean {
    const hold = this.hold;
    if (!hold || !chunk.includes(hold.marker) || --hold.left > 0) return false;
    this.hold = undefined;
    hold.reached();
    return true;
  }

  private accept(client: Socket, host: string, port: number): void {
    this.track(client);
    if (this.mode === 'drop') {
      client.resetAndDestroy();
      return;
    }
    // Accepted and read, never answered: the caller can only give up by its own deadline.
    if (this.mode === 'blackhole') {
      client.resume();
      return;
    }
    const upstream = connect(port, host);
    this.track(upstream);
    let held = false;
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (from === client && (held ||= this.holds(chunk))) return;
        if (this.mode === 'delay') setTimeout(() => to.write(chunk), this.delayMs);
        else to.write(chunk);
      });
      from.on('close', () => to.destroy());
    };
    pipe(client, upstream);
    pipe(upstream, client);
  }
}
