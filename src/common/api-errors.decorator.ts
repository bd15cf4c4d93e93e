import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ApiErrorDto } from './api-error.dto';
import { COLLECTION_NAME_RULE } from './collection-name';
import {
  EmbedderMismatchError,
  LlmProviderError,
  NotFoundError,
  UpstreamTimeoutError,
  VectorStoreUnavailableError,
} from './domain-errors';

/** Stands for the OAuth scope of an operation's role; resolveContract puts the configured one in. */
export const SCOPE_PLACEHOLDER = '{scope}';

/** What each error status means where a route has nothing more specific to say. */
const STANDARD = {
  400: 'Invalid input; the message names the field',
  401: 'Missing, invalid or expired token',
  403: 'The token lacks the role (scope or group) this route requires',
  404: 'The collection does not exist',
  409: 'The collection holds vectors of another embedding model',
  413: 'The body is over its limit',
  415: 'The body is not in a media type the operation reads',
  429: 'Too many requests from this caller; `Retry-After` says when to retry',
  500: 'Unexpected error; the body carries no internals',
  502: 'The language model failed',
  503: 'Chroma or the embedder is unreachable',
  504: 'Chroma did not answer in time (CHROMA_TIMEOUT_MS)',
} as const;

type StandardStatus = keyof typeof STANDARD;

/**
 * One realistic `message` per status, as the API words it (from the errors that raise it where
 * one exists), so each status in Swagger shows the answer a client would really get.
 */
const EXAMPLE_MESSAGES: Record<StandardStatus, string> = {
  400: `collection: must be ${COLLECTION_NAME_RULE}`,
  401: 'token expired',
  403: `requires the ${SCOPE_PLACEHOLDER} scope; the token grants no role`,
  404: new NotFoundError('collection', 'docs').message,
  409: new EmbedderMismatchError(
    'docs',
    'local/glove-100d/1124',
    'openai/text-embedding-3-small/1536',
  ).message,
  413: 'request body is larger than 10000000 bytes (BODY_LIMIT_BYTES)',
  415: 'request body: Content-Type text/plain is not supported; send Content-Type: application/json',
  429: 'too many requests; retry after 42 s',
  500: 'internal error',
  502: new LlmProviderError('OpenAI chat failed: HTTP 500 Internal Server Error').message,
  503: new VectorStoreUnavailableError('the vector store (http) is unreachable').message,
  504: new UpstreamTimeoutError('the vector store', 10_000).message,
};

/** The error body the API answers with `status` and `message`. */
export const errorExample = (status: number, message: string): ApiErrorDto => ({
  statusCode: status,
  error: STATUS_CODES[status] ?? 'Error',
  message,
});

/** A route's own wording of a status: its description, and the message of its example. */
export interface ErrorDetail {
  description: string;
  message: string;
}

/** Statuses with the route's own description (standard example) or description and example. */
type Described = Partial<Record<number, string | ErrorDetail>>;

/** The Swagger response of one error status: the error schema and an example of that status. */
export function errorResponse(status: number, detail?: string | Partial<ErrorDetail>) {
  const standard = status as StandardStatus;
  const { description = STANDARD[standard], message = EXAMPLE_MESSAGES[standard] } =
    typeof detail === 'string' ? { description: detail } : (detail ?? {});
  if (description === undefined || message === undefined) {
    throw new Error(`error status ${status} needs a description and an example message`);
  }
  return { status, type: ApiErrorDto, description, example: errorExample(status, message) };
}

/**
 * Swagger for the error responses of a controller or route, each with the `ApiErrorDto` body
 * every error has and an example of its own status:
 * `@ApiErrors(400, 503, { 404: 'No such job' }, { 409: { description, message } })`.
 */
export const ApiErrors = (
  ...errors: (StandardStatus | Described)[]
): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ...errors
      .flatMap((error) =>
        typeof error === 'number'
          ? [errorResponse(error)]
          : Object.entries(error).map(([status, detail]) => errorResponse(Number(status), detail)),
      )
      .map((response) => ApiResponse(response)),
  );
