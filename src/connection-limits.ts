import type { Server } from 'node:http';
import type { ConnectionLimits } from './server.config';

/**
 * Bounds what slow or numerous clients can hold: Node's defaults (300 s per request, no cap)
 * let anonymous connections trickling a byte at a time stay open for minutes.
 */
export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // Node checks the two timeouts on this interval (30 s by default), read when listening starts;
  // a quarter of the headers timeout closes a slow client within 1.25 times its budget.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(30_000, Math.max(100, Math.floor(limits.headersTimeoutMs / 4)));
}
