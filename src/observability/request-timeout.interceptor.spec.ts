import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, from, of, delay, NEVER } from 'rxjs';
import type { WithDeadline } from './handler-deadline';
import type { ObservabilityConfig } from './observability.config';
import { RequestTimeoutError, RequestTimeoutInterceptor } from './request-timeout.interceptor';

describe('RequestTimeoutInterceptor', () => {
  const interceptor = new RequestTimeoutInterceptor({
    requestTimeoutMs: 50,
  } as ObservabilityConfig);
  const contextFor = (headersSent: boolean, request: WithDeadline = {}) =>
    ({
      switchToHttp: () => ({ getResponse: () => ({ headersSent }), getRequest: () => request }),
    }) as ExecutionContext;
  const run = (handler: CallHandler, headersSent = false, request: WithDeadline = {}) =>
    firstValueFrom(interceptor.intercept(contextFor(headersSent, request), handler), {
      defaultValue: 'left alone',
    });

  it('passes an answer that arrives in time', async () => {
    await expect(run({ handle: () => of('ok').pipe(delay(5)) })).resolves.toBe('ok');
  });

  it('fails with a 503-kind error naming the limit when the handler hangs', async () => {
    const attempt = run({ handle: () => NEVER });
    await expect(attempt).rejects.toThrow(RequestTimeoutError);
    await expect(attempt).rejects.toMatchObject({
      kind: 'unavailable',
      message: 'the request did not complete within 50 ms',
    });
  });

  it('leaves a response that already started (an event stream) to finish', async () => {
    await expect(run({ handle: () => NEVER }, true)).resolves.toBe('left alone');
  });

  it('aborts the handler deadline with the error answered, so the work stops', async () => {
    const request: WithDeadline = {};
    const attempt = run({ handle: () => NEVER }, false, request);
    await expect(attempt).rejects.toThrow(RequestTimeoutError);
    const { signal } = request.handlerDeadline!;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(RequestTimeoutError);
  });

  it('waits for a handler that committed before the deadline, and runs it once', async () => {
    const request: WithDeadline = {};
    let calls = 0;
    const handler = async () => {
      calls++;
      request.handlerDeadline!.commit();
      await new Promise((resolve) => setTimeout(resolve, 120));
      return 'written';
    };
    await expect(run({ handle: () => from(handler()) }, false, request)).resolves.toBe('written');
    expect(calls).toBe(1);
    expect(request.handlerDeadline!.signal.aborted).toBe(false);
  });

  it('refuses to commit once the deadline passed', async () => {
    const request: WithDeadline = {};
    await expect(run({ handle: () => NEVER }, false, request)).rejects.toThrow();
    expect(() => request.handlerDeadline!.commit()).toThrow(RequestTimeoutError);
  });
});
