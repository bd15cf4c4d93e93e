import type { Env } from '../config/env.schema';
import { logFormatFor, type LogFormat } from './log-format';

/** Logs, metrics, tracing, the request deadline, throttling and the shutdown grace period. */
export abstract class ObservabilityConfig {
  abstract readonly logLevel: Env['LOG_LEVEL'];
  /** LOG_FORMAT, with `auto` resolved by whether stdout is a terminal. */
  abstract readonly logFormat: LogFormat;
  /** Log lines are written once this many bytes wait, or every `flushMs` (0 bytes: every line). */
  abstract readonly logBuffer: { bytes: number; flushMs: number };
  /** Prometheus `/metrics` on its own listener, never behind the load balancer; port 0 = any free port. */
  abstract readonly metrics: { enabled: boolean; port: number; host: string };
  /** OTLP/HTTP base URL (`/v1/traces` is appended); tracing is off when unset. */
  abstract readonly tracing: { endpoint?: string; serviceName: string };
  abstract readonly requestTimeoutMs: number;
  /** Time in-flight requests get to finish on SIGTERM before their connections are cut. */
  abstract readonly shutdownGraceMs: number;
  /** Requests per principal per window; `strictLimit` applies to `@StrictThrottle()` routes. */
  abstract readonly throttle: { ttlMs: number; limit: number; strictLimit: number };
}

/** Built from the validated environment (ObservabilityModule's providers, and tracing at start). */
export const observabilityConfigFrom = (env: Env): ObservabilityConfig => ({
  logLevel: env.LOG_LEVEL,
  logFormat: logFormatFor(env.LOG_FORMAT, process.stdout.isTTY),
  logBuffer: { bytes: env.LOG_BUFFER_BYTES, flushMs: env.LOG_FLUSH_MS },
  metrics: { enabled: env.METRICS_ENABLED, port: env.METRICS_PORT, host: env.METRICS_HOST },
  tracing: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
  requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
  shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
  throttle: {
    ttlMs: env.THROTTLE_TTL_MS,
    limit: env.THROTTLE_LIMIT,
    strictLimit: env.THROTTLE_STRICT_LIMIT,
  },
});
