import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { DomainError } from '../common/domain-errors';
import type { AppMetrics } from './app-metrics';
import {
  OperationRecorder,
  type ChromaCall,
  type EmbeddingKind,
  type IngestChunkOutcome,
  type IngestFileOutcome,
  type LlmCallScope,
  type ReindexOutcome,
} from './operation-recorder';

/** Tracer name; spans cost next to nothing while no SDK is registered (tracing off). */
export const TRACER_NAME = 'rag-api';

type Outcome = 'ok' | 'not_found' | 'error';

/** Error class names only: messages may quote user input. */
const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

/** A lookup of something absent (a collection) answered as such: an outcome, not a failure. */
const isNotFound = (error: unknown): boolean =>
  error instanceof DomainError && error.kind === 'not_found';

/**
 * Reports each operation as a trace span (child of the HTTP request's span) and as Prometheus
 * series when metrics are on. Span attributes name collections and counts, never texts.
 */
export class TelemetryRecorder extends OperationRecorder {
  private readonly tracer = trace.getTracer(TRACER_NAME);

  constructor(private readonly metrics: AppMetrics | null) {
    super();
  }

  chromaCall<T>(call: ChromaCall<T>, fn: () => Promise<T>): Promise<T> {
    const { operation, collection } = call;
    const attributes: Attributes = { 'db.system.name': 'chromadb', 'db.operation.name': operation };
    if (collection !== undefined) attributes['db.collection.name'] = collection;
    return this.run(
      `chroma ${operation}`,
      attributes,
      async (span) => {
        const result = await fn();
        if (call.resultCount) span.setAttribute('rag.result_count', call.resultCount(result));
        return result;
      },
      (seconds, outcome, error) => {
        this.metrics?.chromaDuration.observe({ operation, outcome }, seconds);
        if (outcome === 'error') {
          this.metrics?.chromaErrors.inc({ operation, error: errorName(error) });
        }
      },
    );
  }

  embedding<T>(kind: EmbeddingKind, batchSize: number, fn: () => Promise<T>): Promise<T> {
    this.metrics?.embeddingBatchSize.observe({ kind }, batchSize);
    return this.run(
      `embedding ${kind}`,
      { 'rag.embedding.kind': kind, 'rag.embedding.batch_size': batchSize },
      fn,
      (seconds, outcome) => this.metrics?.embeddingDuration.observe({ kind, outcome }, seconds),
    );
  }

  llmCall<T>(model: string, fn: (scope: LlmCallScope) => Promise<T>): Promise<T> {
    return this.run(
      'llm call',
      { 'gen_ai.request.model': model },
      (span) =>
        fn({
          recordUsage: ({ promptTokens, completionTokens }) => {
            span.setAttributes({
              'gen_ai.usage.input_tokens': promptTokens,
              'gen_ai.usage.output_tokens': completionTokens,
            });
            this.metrics?.llmTokens.inc({ model, type: 'prompt' }, promptTokens);
            this.metrics?.llmTokens.inc({ model, type: 'completion' }, completionTokens);
          },
        }),
      (seconds, outcome) => this.metrics?.llmDuration.observe({ model, outcome }, seconds),
    );
  }

  ingestFiles(outcome: IngestFileOutcome, count: number): void {
    this.metrics?.ingestFiles.inc({ outcome }, count);
  }

  ingestChunks(outcome: IngestChunkOutcome, count: number): void {
    this.metrics?.ingestChunks.inc({ outcome }, count);
  }

  reindexRun(outcome: ReindexOutcome): void {
    this.metrics?.reindexRuns.inc({ outcome });
  }

  queryTier(tier: string): void {
    this.metrics?.queryTiers.inc({ tier });
  }

  /** Runs `fn` inside a new active span, then records its duration and outcome. */
  private run<T>(
    name: string,
    attributes: Attributes,
    fn: (span: Span) => Promise<T>,
    record: (seconds: number, outcome: Outcome, error?: unknown) => void,
  ): Promise<T> {
    return this.tracer.startActiveSpan(name, { attributes }, async (span) => {
      const started = performance.now();
      let failure: { error: unknown } | undefined;
      try {
        return await fn(span);
      } catch (error) {
        failure = { error };
        if (!isNotFound(error)) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(error) });
        }
        throw error;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        if (!failure) record(seconds, 'ok');
        else record(seconds, isNotFound(failure.error) ? 'not_found' : 'error', failure.error);
        span.end();
      }
    });
  }
}
