import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { EMPTY, share, throwError, timeout, type Observable } from 'rxjs';
import type { Response } from 'express';
import { DomainError } from '../common/domain-errors';
import { HandlerDeadline, type WithDeadline } from './handler-deadline';
import { ObservabilityConfig } from './observability.config';

/** The API's own deadline: answered 503 + Retry-After (overload, retry later), not a hang. */
export class RequestTimeoutError extends DomainError {
  constructor(timeoutMs: number) {
    super('unavailable', `the request did not complete within ${timeoutMs} ms`);
  }
}

/**
 * Fails a request whose handler has not answered within REQUEST_TIMEOUT_MS, and aborts the
 * request's HandlerDeadline signal with the same error so that its work stops. A response that
 * has started (a server-sent event stream) is left alone: it answered in time and has its own
 * upstream deadline. So is a handler that committed its write: its answer is awaited.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly config: ObservabilityConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const timeoutMs = this.config.requestTimeoutMs;
    const http = context.switchToHttp();
    const response = http.getResponse<Response>();
    const deadline = new HandlerDeadline();
    http.getRequest<WithDeadline>().handlerDeadline = deadline;
    // Kept subscribed when the timeout lets go of it, so a committed handler's answer arrives.
    const handled = next.handle().pipe(share({ resetOnRefCountZero: false }));
    return handled.pipe(
      timeout({
        first: timeoutMs,
        with: () => {
          if (response.headersSent) return EMPTY;
          const error = new RequestTimeoutError(timeoutMs);
          return deadline.expire(error) ? throwError(() => error) : handled;
        },
      }),
    );
  }
}
