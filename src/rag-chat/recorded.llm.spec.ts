import type { LlmCallScope, OperationRecorder } from '../observability/operation-recorder';
import { Llm, type LlmAnswer, type LlmStreamEvent } from './llm.port';
import { RecordedLlm } from './recorded.llm';

const usage = { input_tokens: 12, output_tokens: 3 };

class FakeLlm extends Llm {
  readonly model = 'fake-model';
  constructor(private readonly failStream = false) {
    super();
  }
  complete(): Promise<LlmAnswer> {
    return Promise.resolve({ text: 'answer [1]', usage });
  }
  async *stream(): AsyncIterable<LlmStreamEvent> {
    yield { type: 'token', text: 'ans' };
    await Promise.resolve();
    if (this.failStream) throw new Error('upstream broke');
    yield { type: 'usage', usage };
  }
}

function recorder() {
  const calls: { model: string; usage?: unknown; outcome?: string }[] = [];
  const fake = {
    llmCall: async <T>(model: string, fn: (scope: LlmCallScope) => Promise<T>) => {
      const call: (typeof calls)[number] = { model };
      calls.push(call);
      try {
        const result = await fn({ recordUsage: (u) => (call.usage = u) });
        call.outcome = 'ok';
        return result;
      } catch (error) {
        call.outcome = 'error';
        throw error;
      }
    },
  } as unknown as OperationRecorder;
  return { fake, calls };
}

const request = { prompt: { system: '', messages: [] }, question: 'q', sources: [], maxTokens: 10 };

describe('RecordedLlm', () => {
  it('records a completion with its token usage', async () => {
    const { fake, calls } = recorder();
    const llm = new RecordedLlm(new FakeLlm(), fake);
    await expect(llm.complete(request as never)).resolves.toMatchObject({ text: 'answer [1]' });
    expect(calls).toEqual([
      { model: 'fake-model', outcome: 'ok', usage: { promptTokens: 12, completionTokens: 3 } },
    ]);
  });

  it('records a stream as one call that ends with the stream', async () => {
    const { fake, calls } = recorder();
    const events: LlmStreamEvent[] = [];
    for await (const event of new RecordedLlm(new FakeLlm(), fake).stream(request)) {
      events.push(event);
    }
    expect(events.map((e) => e.type)).toEqual(['token', 'usage']);
    expect(calls).toEqual([
      { model: 'fake-model', outcome: 'ok', usage: { promptTokens: 12, completionTokens: 3 } },
    ]);
  });

  it('records a failed stream as an error and rethrows it to the consumer', async () => {
    const { fake, calls } = recorder();
    const consume = async () => {
      for await (const event of new RecordedLlm(new FakeLlm(true), fake).stream(request)) {
        void event;
      }
    };
    await expect(consume()).rejects.toThrow('upstream broke');
    expect(calls).toEqual([{ model: 'fake-model', outcome: 'error' }]);
  });
});
