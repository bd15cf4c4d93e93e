import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppMetrics } from './app-metrics';
import { routeTemplate } from './http-route';

type DurationChild = ReturnType<AppMetrics['httpDuration']['labels']>;

/** Observes every request's duration by method, route template and status once it is sent. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  /**
   * The histogram's children by label values, bound once: observing through a label object
   * hashes it on every request. Bounded as the labels are: methods Node parses, route
   * templates, status codes.
   */
  private readonly children = new Map<string, DurationChild>();

  constructor(private readonly metrics: AppMetrics) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const started = performance.now();
    response.once('finish', () =>
      this.childFor(request.method ?? 'GET', routeTemplate(request), response.statusCode).observe(
        (performance.now() - started) / 1000,
      ),
    );
    next();
  }

  private childFor(method: string, route: string, status: number): DurationChild {
    const key = `${method} ${status} ${route}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.metrics.httpDuration.labels(method, route, String(status));
      this.children.set(key, child);
    }
    return child;
  }
}
