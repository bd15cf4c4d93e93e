import type { LogLevel } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PinoLogger, type Params } from 'nestjs-pino';
import { destination, type Level, type Logger as RootLogger } from 'pino';
import type { Principal } from '../auth/principal';
import { prettyStdout, type LogFormat } from './log-format';
import type { ObservabilityConfig } from './observability.config';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** A caller's request id is kept only when it is a plain token of sane length. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const PINO_LEVELS: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Credentials never reach the log, whichever header carries them. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-chroma-token"]',
  'req.headers["x-api-key"]',
];

/** Reuses the caller's `X-Request-Id` when sane, else makes one; echoed on the response. */
export function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** pino-http's stand-in error for a 5xx answered without one; its stack shows only pino-http. */
const STATUS_ONLY_ERROR = /^failed with status code \d+$/;

/**
 * Logs through pino: one line per request with its id, route, status, latency and the
 * caller's `sub` (set by the auth guard before the line is written). Bodies are never logged.
 * JSON lines go to stdout through a buffer (see LOG_BUFFER_BYTES), flushed on a timer and at
 * exit; `pretty` lines (a terminal) are written at once.
 */
export const loggingParams = (
  level: LogLevel,
  buffer: ObservabilityConfig['logBuffer'],
  format: LogFormat = 'json',
): Params => ({
  pinoHttp: [
    {
      level: PINO_LEVELS[level],
      genReqId: requestIdFor,
      customProps: (request) => ({ sub: (request as { user?: Principal }).user?.sub }),
      // 4xx are the caller's business: info, so LOG_LEVEL=warn shows only what needs a human.
      // A 503 (warming up, a dependency away) says "retry": a warning, not an error.
      customLogLevel: (_request, response, error) =>
        response.statusCode === 503
          ? 'warn'
          : error || response.statusCode >= 500
            ? 'error'
            : 'info',
      // A status without a thrown error carries no stack worth logging.
      customErrorObject: (_request, _response, error: Error, logged: Record<string, unknown>) =>
        STATUS_ONLY_ERROR.test(error.message) ? { ...logged, err: undefined } : logged,
      autoLogging: { ignore: (request) => request.url === '/health/live' },
      redact: { paths: REDACTED, censor: '[redacted]' },
      // The status is what matters of a response; its headers only repeat what we set.
      serializers: {
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
    format === 'pretty'
      ? prettyStdout()
      : destination({
          dest: 1,
          sync: buffer.bytes === 0,
          minLength: buffer.bytes,
          periodicFlush: buffer.bytes > 0 ? buffer.flushMs : 0,
        }),
  ],
});

/** Writes out buffered log lines; before an exit, so the last lines (the cause) are not lost. */
export const flushLogs = (): Promise<void> =>
  new Promise((resolve) => {
    // Unset until the logger module has been created (a failure before that has no buffer).
    const root = PinoLogger.root as RootLogger | undefined;
    if (!root) {
      resolve();
      return;
    }
    root.flush(() => resolve());
  });
