import type { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { ObservabilityConfig } from './observability.config';
import { routeTemplate, UNMATCHED_ROUTE } from './http-route';

/** Probes and scrapes arrive every few seconds; tracing them would drown real requests. */
const UNTRACED_PATHS = new Set(['/health', '/health/live', '/metrics']);

/**
 * The OpenTelemetry SDK as the API configures it: spans go to `<endpoint>/v1/traces` as
 * OTLP/HTTP JSON; the SDK's own OTEL_* variables (sampler, batch delay) still apply.
 */
export function createNodeSdk(
  tracing: ObservabilityConfig['tracing'] & { endpoint: string },
): Pick<NodeSDK, 'start' | 'shutdown'> {
  return new NodeSDK({
    serviceName: tracing.serviceName,
    traceExporter: new OTLPTraceExporter({
      url: new URL('v1/traces', tracing.endpoint.replace(/\/?$/, '/')).toString(),
    }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) =>
          UNTRACED_PATHS.has(new URL(request.url ?? '/', 'http://localhost').pathname),
        // Background calls (JWKS refresh, supervisor heartbeats) are not requests' work.
        requireParentforOutgoingSpans: true,
        // Name the span after the route template once Express has matched one.
        applyCustomAttributesOnSpan: (span, request) => {
          const route = routeTemplate(request as IncomingMessage);
          if (route === UNMATCHED_ROUTE) return;
          span.setAttribute('http.route', route);
          span.updateName(`${(request as IncomingMessage).method ?? 'GET'} ${route}`);
        },
      }),
      // Node's fetch (the Chroma client): client spans plus the traceparent header to Chroma.
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
}
