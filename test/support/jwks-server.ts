import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** `up` serves the keys, `error` answers 500, `hang` never answers (a slow endpoint). */
export type JwksMode = 'up' | 'error' | 'hang';

/** A real JWKS endpoint on loopback whose keys and health a test can change. */
export class JwksServer {
  keys: JWK[] = [];
  mode: JwksMode = 'up';
  requests = 0;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly uri: string,
  ) {}

  static async start(): Promise<JwksServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const instance = new JwksServer(server, `http://127.0.0.1:${port}/.well-known/jwks.json`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      instance.handle(request.url, response),
    );
    return instance;
  }

  private handle(url: string | undefined, response: ServerResponse): void {
    this.requests += 1;
    if (url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
    } else if (this.mode === 'hang') {
      this.hanging.add(response);
    } else if (this.mode === 'error') {
      response.writeHead(500).end('boom');
    } else {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.keys }));
    }
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback URL where nothing listens, for "endpoint down" cases. */
export async function closedPortUri(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/.well-known/jwks.json`;
}
