import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { EMPTY, throwError, timeout, type Observable } from 'rxjs';
import type { Response } from 'express';
import { DomainError } from '../common/domain-errors';
import { ObservabilityConfig } from './observability.config';

/** The API's own deadline: answered 503 + Retry-After (overload, retry later), not a hang. */
export class RequestTimeoutError extends DomainError {
  constructor(timeoutMs: number) {
    super('unavailable', `the request did not complete within ${timeoutMs} ms`);
  }
}

/**
 * Fails a request whose handler has not answered within REQUEST_TIMEOUT_MS. A response that has
 * started (a server-sent event stream) is left alone: it answered in time and has its own
 * upstream deadline. The abandoned work is not cancelled; its result is dropped.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly config: ObservabilityConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const timeoutMs = this.config.requestTimeoutMs;
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      timeout({
        first: timeoutMs,
        with: () =>
          response.headersSent ? EMPTY : throwError(() => new RequestTimeoutError(timeoutMs)),
      }),
    );
  }
}
