/** What an embedding call embeds: one search query, or a batch of passages for storage. */
export type EmbeddingKind = 'query' | 'documents';

export const INGEST_FILE_OUTCOMES = ['accepted', 'skipped', 'rejected'] as const;
export type IngestFileOutcome = (typeof INGEST_FILE_OUTCOMES)[number];
export const INGEST_CHUNK_OUTCOMES = ['written', 'unchanged'] as const;
export type IngestChunkOutcome = (typeof INGEST_CHUNK_OUTCOMES)[number];
export const REINDEX_OUTCOMES = ['succeeded', 'failed'] as const;
export type ReindexOutcome = (typeof REINDEX_OUTCOMES)[number];

/** One Chroma call as business code describes it; never texts or vectors. */
export interface ChromaCall<T> {
  /** Stable low-cardinality name: `query`, `get`, `upsert`, `heartbeat` … */
  operation: string;
  collection?: string;
  /** Records returned, for calls that return records. */
  resultCount?: (result: T) => number;
}

/** Token usage an LLM call reports once its answer (or stream) is complete. */
export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

/** Handed to an LLM call so it can report usage whenever the provider tells it. */
export interface LlmCallScope {
  recordUsage(usage: LlmUsage): void;
}

/**
 * The port through which business code reports its slow external calls. Observability
 * implements it with metrics and trace spans; `fn` runs inside the call's trace context, so
 * HTTP requests it makes are children of the call's span. Business code imports nothing else.
 */
export abstract class OperationRecorder {
  abstract chromaCall<T>(call: ChromaCall<T>, fn: () => Promise<T>): Promise<T>;

  abstract embedding<T>(kind: EmbeddingKind, batchSize: number, fn: () => Promise<T>): Promise<T>;

  /**
   * Wraps one LLM request, streaming included: resolve `fn` only when the answer is complete.
   * `model` should be a configured model id (low cardinality), never user input.
   */
  abstract llmCall<T>(model: string, fn: (scope: LlmCallScope) => Promise<T>): Promise<T>;

  /** `count` files (or JSON documents) of an ingest job, accepted or rejected when it is created. */
  abstract ingestFiles(outcome: IngestFileOutcome, count: number): void;

  /** `count` chunks an ingest job stored (written) or found stored as they were (unchanged). */
  abstract ingestChunks(outcome: IngestChunkOutcome, count: number): void;

  /** A re-index run ended. */
  abstract reindexRun(outcome: ReindexOutcome): void;

  /** A retrieval was answered by the filter tier named `tier` (one of a fixed few). */
  abstract queryTier(tier: string): void;
}

const IGNORED_USAGE: LlmCallScope = { recordUsage: () => undefined };

/** Records nothing: the default for code constructed without observability (unit tests, tools). */
class NoopOperationRecorder extends OperationRecorder {
  chromaCall<T>(_call: ChromaCall<T>, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  embedding<T>(_kind: EmbeddingKind, _batchSize: number, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  llmCall<T>(_model: string, fn: (scope: LlmCallScope) => Promise<T>): Promise<T> {
    return fn(IGNORED_USAGE);
  }

  ingestFiles(): void {}

  ingestChunks(): void {}

  reindexRun(): void {}

  queryTier(): void {}
}

export const NOOP_RECORDER: OperationRecorder = new NoopOperationRecorder();
