import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { shutdownTracing } from './tracing-sdk';
import { ObservabilityConfig } from './observability.config';

/**
 * On SIGTERM Nest closes the HTTP server, which stops accepting connections and waits for
 * in-flight requests; this bounds that wait (SHUTDOWN_GRACE_MS, below the orchestrator's kill
 * timeout) and flushes pending spans once the last request is done.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ObservabilityConfig,
  ) {}

  beforeApplicationShutdown(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    // A keep-alive socket would hold close() until it times out: drop each once it goes idle.
    const dropIdle = setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      clearInterval(dropIdle);
      server.closeAllConnections();
    }, this.config.shutdownGraceMs).unref();
  }

  onApplicationShutdown(): Promise<void> {
    return shutdownTracing();
  }
}
