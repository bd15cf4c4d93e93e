import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, of, delay, NEVER } from 'rxjs';
import type { ObservabilityConfig } from './observability.config';
import { RequestTimeoutError, RequestTimeoutInterceptor } from './request-timeout.interceptor';

describe('RequestTimeoutInterceptor', () => {
  const interceptor = new RequestTimeoutInterceptor({
    requestTimeoutMs: 50,
  } as ObservabilityConfig);
  const contextFor = (headersSent: boolean) =>
    ({ switchToHttp: () => ({ getResponse: () => ({ headersSent }) }) }) as ExecutionContext;
  const run = (handler: CallHandler, headersSent = false) =>
    firstValueFrom(interceptor.intercept(contextFor(headersSent), handler), {
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
});
