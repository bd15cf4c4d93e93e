import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiErrorDto } from './api-error.dto';

/** What each error status means where a route has nothing more specific to say. */
const STANDARD = {
  400: 'Invalid input; the message names the field',
  401: 'Missing, invalid or expired token',
  403: 'The token lacks the role (scope or group) this route requires',
  404: 'The collection does not exist',
  409: 'The collection holds vectors of another embedding model',
  413: 'The body is over its limit',
  429: 'Too many requests from this caller; `Retry-After` says when to retry',
  503: 'Chroma or the embedder is unreachable',
  504: 'Chroma did not answer in time (CHROMA_TIMEOUT_MS)',
} as const;

type StandardStatus = keyof typeof STANDARD;
/** Statuses with the route's own descriptions. */
type Described = Partial<Record<number, string>>;

/**
 * Swagger for the error responses of a controller or route, each with the `ApiErrorDto` body
 * every error has: `@ApiErrors(400, 503, { 404: 'No such job' })`.
 */
export const ApiErrors = (
  ...errors: (StandardStatus | Described)[]
): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ...errors
      .flatMap((error) =>
        typeof error === 'number'
          ? [[error, STANDARD[error]] as const]
          : Object.entries(error).map(
              ([status, description]) => [Number(status), description] as const,
            ),
      )
      .map(([status, description]) => ApiResponse({ status, type: ApiErrorDto, description })),
  );
