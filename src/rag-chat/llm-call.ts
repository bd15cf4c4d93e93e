import { DomainError, LlmProviderError, LlmUnavailableError } from '../common/domain-errors';
import { abortedCallError, RetryableError, type UpstreamCallOptions } from '../upstream/retry';

export interface LlmCallSettings {
  timeoutMs: number;
  maxRetries: number;
}

/**
 * Options for `callUpstream` to a language model: an upstream that never answered is
 * unavailable (503); one that kept failing or answered nonsense is a bad gateway (502).
 */
export const llmCallOptions = (
  what: string,
  { timeoutMs, maxRetries }: LlmCallSettings,
  signal?: AbortSignal,
): UpstreamCallOptions => ({
  what,
  timeoutMs,
  maxRetries,
  signal,
  toError: (message, error) =>
    error instanceof RetryableError && error.status === undefined
      ? new LlmUnavailableError(message, { cause: error })
      : new LlmProviderError(message, { cause: error }),
});

/**
 * Maps a failure while reading a streamed answer, after `callUpstream` returned: no retries
 * then (tokens were already sent), a fired signal is a timeout or the caller's abort.
 */
export function streamFailure(
  call: UpstreamCallOptions,
  signal: AbortSignal,
  error: unknown,
): unknown {
  if (error instanceof DomainError) return error;
  if (signal.aborted) return abortedCallError(call, error);
  const message = error instanceof Error ? error.message : String(error);
  return new LlmProviderError(`${call.what} stream failed: ${message}`, { cause: error });
}
