import type { Env } from './config/env.schema';

/** The HTTP listener and what main.ts and app.setup.ts set on the Express app. */
export abstract class ServerConfig {
  abstract readonly port: number;
  abstract readonly host: string;
  abstract readonly bodyLimitBytes: number;
  /** /docs and /docs-json: SWAGGER_ENABLED, or when unset everywhere but production. */
  abstract readonly swaggerEnabled: boolean;
  /** Origins allowed by CORS; empty = CORS off. */
  abstract readonly corsOrigins: string[];
  /** Proxy hops in front of the API (Express `trust proxy`), so `req.ip` is the client's. */
  abstract readonly trustProxy: number;
  /** Slow-client bounds applied to the HTTP server (see applyConnectionLimits). */
  abstract readonly connections: ConnectionLimits;
}

export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** Built once at boot from the validated environment (AppModule's provider). */
export const serverConfigFrom = (env: Env): ServerConfig => ({
  port: env.PORT,
  host: env.HOST,
  bodyLimitBytes: env.BODY_LIMIT_BYTES,
  swaggerEnabled: env.SWAGGER_ENABLED ?? env.NODE_ENV !== 'production',
  corsOrigins: env.CORS_ORIGINS,
  trustProxy: env.TRUST_PROXY,
  connections: {
    headersTimeoutMs: env.SERVER_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.SERVER_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.SERVER_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: env.SERVER_MAX_CONNECTIONS,
  },
});
