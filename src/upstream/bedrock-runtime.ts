import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isRetryableStatus, parseRetryAfter, RetryableError } from './retry';

interface SdkError {
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  message?: string;
}

/**
 * A Bedrock runtime client for our own retry loop (the SDK's retries are off) that also speaks
 * plain HTTP: the SDK's default HTTP/2 handler cannot reach an `endpoint` like a local test server.
 */
export const createBedrockClient = (region: string, endpoint?: string): BedrockRuntimeClient =>
  new BedrockRuntimeClient({
    region,
    endpoint,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });

/**
 * Throttling, 5xx and network failures (no HTTP status) become retryable; a 4xx is final and
 * is reported through `rejected`, which picks the caller's domain error.
 */
export function classifyBedrockError(
  error: unknown,
  rejected: (detail: string, cause: unknown) => Error,
): Error {
  const { $metadata, $response, message } = (error ?? {}) as SdkError;
  const status = $metadata?.httpStatusCode;
  if (status === undefined || isRetryableStatus(status)) {
    const retryAfter = parseRetryAfter($response?.headers?.['retry-after']);
    return new RetryableError(`${status ?? 'network'}: ${message}`, retryAfter, {
      cause: error,
      status,
    });
  }
  return rejected(`HTTP ${status}: ${message}`, error);
}
