import type { OperationRecorder } from '../observability/operation-recorder';
import {
  Llm,
  type LlmAnswer,
  type LlmRequest,
  type LlmStreamEvent,
  type LlmUsage,
} from './llm.port';

const asRecorded = (usage: LlmUsage) => ({
  promptTokens: usage.input_tokens,
  completionTokens: usage.output_tokens,
});

/** Reports every model call (latency, outcome, tokens) through the observability port. */
export class RecordedLlm extends Llm {
  constructor(
    private readonly inner: Llm,
    private readonly recorder: OperationRecorder,
  ) {
    super();
  }

  get model(): string {
    return this.inner.model;
  }

  complete(request: LlmRequest): Promise<LlmAnswer> {
    return this.recorder.llmCall(this.model, async (scope) => {
      const answer = await this.inner.complete(request);
      scope.recordUsage(asRecorded(answer.usage));
      return answer;
    });
  }

  /** The call is recorded as one operation that ends when the stream does (or fails). */
  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    let settle!: (outcome: { usage?: LlmUsage; error?: unknown }) => void;
    const finished = new Promise<{ usage?: LlmUsage; error?: unknown }>((resolve) => {
      settle = resolve;
    });
    const recorded = this.recorder
      .llmCall(this.model, async (scope) => {
        const { usage, error } = await finished;
        // Rethrown only so the recorder marks the call failed.
        if (error !== undefined)
          throw error instanceof Error ? error : new Error('the model stream failed');
        if (usage) scope.recordUsage(asRecorded(usage));
      })
      .catch(() => undefined); // the caller sees the error from the stream itself
    let usage: LlmUsage | undefined;
    try {
      for await (const event of this.inner.stream(request)) {
        if (event.type === 'usage') usage = event.usage;
        yield event;
      }
      settle({ usage });
    } catch (error) {
      settle({ error });
      throw error;
    } finally {
      settle({ usage }); // a consumer that stopped early still ends the recorded call
      await recorded;
    }
  }
}
