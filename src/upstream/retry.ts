import { DomainError, EmbeddingProviderError, UpstreamTimeoutError } from '../common/domain-errors';

/** Thrown by an attempt that may succeed if repeated (429, 5xx, network failure). */
export class RetryableError extends Error {
  /** The HTTP status the upstream answered; absent when it was not reached at all. */
  readonly status?: number;

  constructor(
    message: string,
    /** The server's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.name = 'RetryableError';
    this.status = options?.status;
  }
}

export interface RetryOptions {
  maxRetries: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Upper bound on an honoured Retry-After so one request cannot hang for hours. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** Retry-After is either delay-seconds or an HTTP date; returns milliseconds from `now`. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** "Full jitter" exponential backoff: spreads retries of many clients over the whole window. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

/** Runs `operation`, repeating it after a RetryableError at most `maxRetries` times. */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const {
    maxRetries,
    baseDelayMs = 200,
    maxDelayMs = 10_000,
    maxRetryAfterMs = 60_000,
    random = Math.random,
  } = options;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt >= maxRetries) throw error;
      await wait(
        error.retryAfterMs !== undefined
          ? Math.min(error.retryAfterMs, maxRetryAfterMs)
          : backoffDelay(attempt, baseDelayMs, maxDelayMs, random),
      );
    }
  }
}

export interface UpstreamCallOptions extends RetryOptions {
  /** Names the upstream in error messages, e.g. "OpenAI embeddings". */
  what: string;
  timeoutMs: number;
  /** The caller's cancellation (e.g. its client went away): ends the call and is never retried. */
  signal?: AbortSignal;
  /** Maps a final failure that is not a domain error yet; EmbeddingProviderError by default. */
  toError?: (message: string, error: unknown) => DomainError;
}

/**
 * What to throw when an attempt's signal ended the call: the caller's own abort reason as is,
 * otherwise a timeout. Also for errors while reading a streamed body after the call returned.
 */
export function abortedCallError(options: UpstreamCallOptions, cause: unknown): unknown {
  if (options.signal?.aborted) return options.signal.reason;
  return new UpstreamTimeoutError(options.what, options.timeoutMs, { cause });
}

/**
 * One upstream call with a per-attempt timeout and retries, mapped to domain errors.
 * A timed-out attempt is not retried: the caller already waited the whole budget.
 * The attempt's signal stays live after it resolves, so it also bounds a streamed body.
 */
export async function callUpstream<T>(
  options: UpstreamCallOptions,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { what, timeoutMs, signal: cancel } = options;
  const toError =
    options.toError ??
    ((message: string, cause: unknown) => new EmbeddingProviderError(message, { cause }));
  try {
    return await withRetry(async () => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
      try {
        return await attempt(signal);
      } catch (error) {
        // Clients report an abort in different ways; the signal says reliably whether it fired.
        if (signal.aborted) throw abortedCallError(options, error);
        throw error;
      }
    }, options);
  } catch (error) {
    if (error instanceof DomainError || cancel?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw toError(`${what} failed: ${message}`, error);
  }
}
