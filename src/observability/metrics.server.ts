import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { explainListenError } from '../common/port-in-use';
import { AppMetrics } from './app-metrics';
import { ObservabilityConfig } from './observability.config';

/**
 * Serves `GET /metrics` on METRICS_HOST:METRICS_PORT, a listener of its own so the load
 * balancer (which forwards PORT only) never exposes it. Started by main.ts next to
 * `app.listen`, so apps booted without listening (tests) bind nothing unless they ask.
 */
@Injectable()
export class MetricsServer implements OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly config: ObservabilityConfig,
    // Explicit token: a `| null` type erases to Object in decorator metadata.
    @Inject(AppMetrics) private readonly metrics: AppMetrics | null,
  ) {}

  /** Resolves with the bound port, or undefined when metrics are off. */
  async listen(): Promise<number | undefined> {
    const { metrics } = this;
    if (!metrics || this.server) return this.port;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      metrics.registry.metrics().then(
        (body) =>
          response.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
        (error: unknown) => {
          this.logger.error(`collecting metrics failed: ${String(error)}`);
          response.writeHead(500).end();
        },
      );
    });
    const { port, host } = this.config.metrics;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(explainListenError(error, port, 'METRICS_PORT')));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    // main.ts names this URL in its one ready line.
    this.logger.debug(`metrics on http://${host}:${this.port}/metrics`);
    return this.port;
  }

  get port(): number | undefined {
    return this.boundTo?.port;
  }

  /** The address and port the listener is bound to, once listening. */
  get boundTo(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
