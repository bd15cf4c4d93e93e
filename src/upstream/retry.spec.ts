import { EmbeddingProviderError, UpstreamTimeoutError } from '../common/domain-errors';
import { backoffDelay, callUpstream, parseRetryAfter, RetryableError, withRetry } from './retry';

describe('retry', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, 100, 1000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(800);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 100, 1000, () => 0.5)).toBe(400);
  });

  it('retries retryable failures, honouring Retry-After over backoff', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const operation = jest
      .fn<Promise<string>, [number]>()
      .mockRejectedValueOnce(new RetryableError('429', 1500))
      .mockRejectedValueOnce(new RetryableError('503'))
      .mockResolvedValueOnce('ok');
    await expect(
      withRetry(operation, { maxRetries: 3, baseDelayMs: 100, sleep, random: () => 1 }),
    ).resolves.toBe('ok');
    expect(waits).toEqual([1500, 200]);
  });

  it('gives up after maxRetries and never retries other errors', async () => {
    const sleep = () => Promise.resolve();
    const failing = jest.fn().mockRejectedValue(new RetryableError('503'));
    await expect(withRetry(failing, { maxRetries: 2, sleep })).rejects.toThrow('503');
    expect(failing).toHaveBeenCalledTimes(3);

    const fatal = jest.fn().mockRejectedValue(new Error('bad request'));
    await expect(withRetry(fatal, { maxRetries: 5, sleep })).rejects.toThrow('bad request');
    expect(fatal).toHaveBeenCalledTimes(1);
  });

  it('waits for real when no sleep is injected (fake timers)', async () => {
    jest.useFakeTimers();
    try {
      const operation = jest
        .fn()
        .mockRejectedValueOnce(new RetryableError('429', 2000))
        .mockResolvedValueOnce('ok');
      const result = withRetry(operation, { maxRetries: 1 });
      await jest.advanceTimersByTimeAsync(1999);
      expect(operation).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      await expect(result).resolves.toBe('ok');
    } finally {
      jest.useRealTimers();
    }
  });

  it('maps exhausted retries to EmbeddingProviderError and an expired timeout to UpstreamTimeoutError', async () => {
    const options = {
      what: 'test upstream',
      timeoutMs: 50,
      maxRetries: 1,
      sleep: () => Promise.resolve(),
    };
    await expect(
      callUpstream(options, () => Promise.reject(new RetryableError('HTTP 500'))),
    ).rejects.toBeInstanceOf(EmbeddingProviderError);

    const hang = (signal: AbortSignal) =>
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    const started = Date.now();
    await expect(callUpstream(options, hang)).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("stops at once on the caller's abort, without retrying or calling it a timeout", async () => {
    const controller = new AbortController();
    const attempts: AbortSignal[] = [];
    const call = callUpstream(
      { what: 'test upstream', timeoutMs: 10_000, maxRetries: 3, signal: controller.signal },
      (signal) => {
        attempts.push(signal);
        return new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(new RetryableError('socket closed'))),
        );
      },
    );
    controller.abort(new Error('client went away'));
    await expect(call).rejects.toThrow('client went away');
    expect(attempts).toHaveLength(1);
  });

  it('lets the caller choose the domain error of a final failure', async () => {
    const toError = jest.fn(
      (message: string, _error: unknown) => new UpstreamTimeoutError(message, 1),
    );
    await expect(
      callUpstream({ what: 'test upstream', timeoutMs: 50, maxRetries: 0, toError }, () =>
        Promise.reject(new RetryableError('HTTP 502', undefined, { status: 502 })),
      ),
    ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(toError.mock.calls[0][1]).toMatchObject({ status: 502 });
  });
});
