import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppMetrics } from './app-metrics';
import { routeTemplate } from './http-route';

/** Observes every request's duration by method, route template and status once it is sent. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: AppMetrics) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const started = performance.now();
    response.once('finish', () =>
      this.metrics.httpDuration.observe(
        {
          method: request.method ?? 'GET',
          route: routeTemplate(request),
          status_code: response.statusCode,
        },
        (performance.now() - started) / 1000,
      ),
    );
    next();
  }
}
