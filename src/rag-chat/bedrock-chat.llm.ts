import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type Message,
  type TokenUsage,
} from '@aws-sdk/client-bedrock-runtime';
import { classifyBedrockError, createBedrockClient } from '../upstream/bedrock-runtime';
import { LlmProviderError } from '../common/domain-errors';
import { callUpstream } from '../upstream/retry';
import { llmCallOptions, streamFailure, type LlmCallSettings } from './llm-call';
import {
  Llm,
  NO_USAGE,
  type LlmAnswer,
  type LlmRequest,
  type LlmStreamEvent,
  type LlmUsage,
} from './llm.port';

export const DEFAULT_BEDROCK_CHAT_MODEL = 'amazon.nova-micro-v1:0';
const WHAT = 'Bedrock Converse';

export interface BedrockChatOptions extends LlmCallSettings {
  model?: string;
  region: string;
  /** Overrides the regional endpoint (tests, VPC endpoints). */
  endpoint?: string;
}

const usageOf = (usage: TokenUsage | undefined): LlmUsage => ({
  input_tokens: usage?.inputTokens ?? 0,
  output_tokens: usage?.outputTokens ?? 0,
});

/** Any Bedrock chat model through the model-neutral Converse API, with the SDK's credentials. */
export class BedrockChatLlm extends Llm {
  readonly model: string;
  private readonly client: BedrockRuntimeClient;

  constructor(private readonly options: BedrockChatOptions) {
    super();
    this.model = options.model ?? DEFAULT_BEDROCK_CHAT_MODEL;
    // As in BedrockEmbedder: our retries instead of the SDK's, HTTP/1.1 for plain-HTTP endpoints.
    this.client = createBedrockClient(options.region, options.endpoint);
  }

  complete(request: LlmRequest): Promise<LlmAnswer> {
    const call = llmCallOptions(WHAT, this.options, request.signal);
    return callUpstream(call, async (abortSignal) => {
      const response = await this.client
        .send(new ConverseCommand(this.input(request)), { abortSignal })
        .catch((error: unknown) => Promise.reject(classify(error)));
      const text = response.output?.message?.content?.map((block) => block.text ?? '').join('');
      if (text === undefined) throw new LlmProviderError(`${WHAT} returned no message`);
      return { text, usage: usageOf(response.usage) };
    });
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    const call = llmCallOptions(WHAT, this.options, request.signal);
    const { stream, signal } = await callUpstream(call, async (abortSignal) => {
      const response = await this.client
        .send(new ConverseStreamCommand(this.input(request)), { abortSignal })
        .catch((error: unknown) => Promise.reject(classify(error)));
      if (!response.stream) throw new LlmProviderError(`${WHAT} returned no stream`);
      return { stream: response.stream, signal: abortSignal };
    });
    let usage = NO_USAGE;
    try {
      // Exceptions the model reports mid-stream are thrown by the SDK's iterator.
      for await (const event of stream) {
        const text = event.contentBlockDelta?.delta?.text;
        if (text) yield { type: 'token', text };
        if (event.metadata?.usage) usage = usageOf(event.metadata.usage);
      }
    } catch (error) {
      throw streamFailure(call, signal, error);
    }
    yield { type: 'usage', usage };
  }

  private input({ prompt, maxTokens }: LlmRequest) {
    const messages: Message[] = prompt.messages.map(({ role, content }) => ({
      role,
      content: [{ text: content }],
    }));
    return {
      modelId: this.model,
      system: [{ text: prompt.system }],
      messages,
      inferenceConfig: { maxTokens },
    };
  }
}

const classify = (error: unknown): Error =>
  classifyBedrockError(
    error,
    (detail, cause) => new LlmProviderError(`${WHAT} rejected the request (${detail})`, { cause }),
  );
