import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * A request's deadline as its handler sees it. `signal` aborts, with the error the client is
 * answered (503), when REQUEST_TIMEOUT_MS passes: work still running for the request stops
 * (extraction workers, upstream calls that take the signal).
 *
 * A handler calls `commit()` before the write that makes its effect visible. It throws once the
 * deadline passed; after it, a deadline that passes no longer answers 503 but waits for the
 * handler's own answer. So a client is never told a request failed that then took effect.
 */
export class HandlerDeadline {
  private readonly controller = new AbortController();
  private committed = false;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** From here on the handler answers, however long it takes; throws if the deadline passed. */
  commit(): void {
    this.signal.throwIfAborted();
    this.committed = true;
  }

  /**
   * The deadline passed: aborts the signal with `error` and returns true, unless the handler
   * committed (then false: its answer is awaited instead).
   */
  expire(error: Error): boolean {
    if (this.committed) return false;
    this.controller.abort(error);
    return true;
  }
}

/** Where RequestTimeoutInterceptor leaves the request's deadline. */
export interface WithDeadline {
  handlerDeadline?: HandlerDeadline;
}

/**
 * Injects the request's HandlerDeadline. Without the interceptor (a handler called some other
 * way) it is one that never passes.
 */
export const Deadline = createParamDecorator(
  (_data: unknown, context: ExecutionContext): HandlerDeadline =>
    context.switchToHttp().getRequest<WithDeadline>().handlerDeadline ?? new HandlerDeadline(),
);
