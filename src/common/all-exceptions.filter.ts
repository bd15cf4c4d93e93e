import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DomainError, TooManyRequestsError, type DomainErrorKind } from './domain-errors';
import { ForbiddenJsonKeyError } from './safe-json';
import type { ApiErrorDto } from './api-error.dto';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  validation: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  bad_gateway: HttpStatus.BAD_GATEWAY,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  timeout: HttpStatus.GATEWAY_TIMEOUT,
};

/** Body-parser errors carry a `type` naming what failed. */
interface BodyParserError {
  type: string;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as BodyParserError).type === 'string';

const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.too.large': 'request body is larger than the configured limit (BODY_LIMIT_BYTES)',
  'entity.parse.failed': 'request body is not valid JSON',
  'encoding.unsupported': 'request body encoding is not supported',
  'charset.unsupported': 'request body charset is not supported',
};

const errorsLogger = new Logger('Errors');

/**
 * The one mapping of errors to HTTP. Domain errors map by kind; HTTP exceptions keep their
 * status; anything else is a 500 whose body carries no internals: they go to `logger`.
 * Used by the global filter and by streams that already sent headers and report errors
 * in-band (SSE `error`).
 */
export function errorBody(exception: unknown, logger: Logger = errorsLogger): ApiErrorDto {
  const body = mapError(exception);
  if (body.statusCode === 503) {
    // Unavailable for now (warming up, a dependency away): the client retries; no stack helps.
    logger.warn(exception instanceof Error ? exception.message : String(exception));
  } else if (body.statusCode >= 500) {
    logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
  }
  return body;
}

function mapError(exception: unknown): ApiErrorDto {
  if (exception instanceof DomainError) {
    return body(STATUS_BY_KIND[exception.kind], exception.message);
  }
  if (exception instanceof HttpException) {
    // Express body-parser failures arrive wrapped; say what was wrong in our own words.
    const cause = exception.cause;
    if (cause instanceof ForbiddenJsonKeyError) return body(400, cause.message);
    if (isBodyParserError(cause) && BODY_PARSER_MESSAGES[cause.type]) {
      return body(exception.getStatus(), BODY_PARSER_MESSAGES[cause.type]);
    }
    return fromHttpException(exception);
  }
  return body(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
}

function fromHttpException(exception: HttpException): ApiErrorDto {
  const status = exception.getStatus();
  const payload = exception.getResponse();
  const raw =
    typeof payload === 'object' && payload !== null && 'message' in payload
      ? payload.message
      : exception.message;
  const messages = Array.isArray(raw) ? raw.map(String) : [String(raw)];
  if (status >= 500) return body(status, STATUS_CODES[status] ?? 'error');
  return body(status, messages.join('; '), messages.length > 1 ? messages : undefined);
}

function body(statusCode: number, message: string, details?: string[]): ApiErrorDto {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(details ? { details } : {}),
  };
}

/** How long an answer given before its request's body was read waits before the connection closes. */
const UNREAD_BODY_LINGER_MS = 2000;

/**
 * Answers `exception` through `errorBody`: the filter, and code that must answer before the
 * request reaches Nest's pipeline (a body refused while it arrives).
 */
export function sendError(response: Response, exception: unknown): void {
  const body = errorBody(exception);
  if (response.headersSent) {
    response.end();
    return;
  }
  if (body.statusCode === 503) response.setHeader('Retry-After', '5');
  if (exception instanceof TooManyRequestsError) {
    response.setHeader('Retry-After', String(exception.retryAfterSeconds));
  }
  response.status(body.statusCode);
  if (response.req.complete) {
    response.json(body);
    return;
  }
  answerUnreadBody(response, JSON.stringify(body));
}

/**
 * The rest of the body is never read: `Connection: close`. Closing at once would make the
 * kernel reset the connection while the client is still sending, and a reset can destroy the
 * answer before the client reads it. So the answer is written whole, and the response ends
 * (and the connection closes) once the client stops sending or after UNREAD_BODY_LINGER_MS.
 */
function answerUnreadBody(response: Response, json: string): void {
  const request = response.req;
  response.setHeader('Connection', 'close');
  response.type('json');
  response.setHeader('Content-Length', Buffer.byteLength(json));
  response.write(json);
  const end = (): void => {
    clearTimeout(timer);
    request.removeListener('end', end);
    request.removeListener('close', end);
    response.end();
  };
  const timer = setTimeout(end, UNREAD_BODY_LINGER_MS);
  request.once('end', end);
  request.once('close', end);
}

/** The one place errors become HTTP responses, through `sendError`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendError(host.switchToHttp().getResponse<Response>(), exception);
  }
}
