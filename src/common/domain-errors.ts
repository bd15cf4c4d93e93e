/**
 * Typed domain errors. Services throw these; the global exception filter maps each
 * kind to one HTTP status, so no module depends on HTTP to report a problem.
 */
export type DomainErrorKind =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'bad_gateway'
  | 'unavailable'
  | 'timeout';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('validation', `${field}: ${message}`, { field });
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', `${what} '${id}' was not found`);
  }
}

/** A write to a collection that does not exist, without leave to create it. */
export class CollectionNotCreatedError extends DomainError {
  constructor(collection: string) {
    super(
      'not_found',
      `collection '${collection}' was not found; send "create_collection": true to create it with this write`,
    );
  }
}

/** The stored vectors were made by another embedding model; mixing them would corrupt results. */
export class EmbedderMismatchError extends DomainError {
  constructor(collection: string, stored: string, current: string) {
    super(
      'conflict',
      `collection '${collection}' holds vectors from embedder ${stored}, but this API embeds with ${current}; re-index it or use another collection`,
      { collection, stored, current },
    );
  }
}

/** The caller is over a limit that frees up with time; `retryAfterSeconds` becomes Retry-After. */
export class TooManyRequestsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too_many_requests', message, { retryAfterSeconds });
  }
}

export class VectorStoreUnavailableError extends DomainError {
  constructor(message = 'the vector store is unavailable', options?: { cause?: unknown }) {
    super('unavailable', message, undefined, options);
  }
}

export class UpstreamTimeoutError extends DomainError {
  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('timeout', `${what} did not answer within ${timeoutMs} ms`, undefined, options);
  }
}

export class EmbeddingProviderError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, undefined, options);
  }
}

/** The language model answered with an error or something unusable, even after retries. */
export class LlmProviderError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_gateway', message, undefined, options);
  }
}

/** The language model could not be reached at all. */
export class LlmUnavailableError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, undefined, options);
  }
}
