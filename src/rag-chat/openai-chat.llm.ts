import { EventSourceParserStream } from 'eventsource-parser/stream';
import { LlmProviderError } from '../common/domain-errors';
import {
  callUpstream,
  isRetryableStatus,
  parseRetryAfter,
  RetryableError,
} from '../upstream/retry';
import { llmCallOptions, streamFailure, type LlmCallSettings } from './llm-call';
import {
  Llm,
  NO_USAGE,
  type LlmAnswer,
  type LlmRequest,
  type LlmStreamEvent,
  type LlmUsage,
} from './llm.port';

export interface OpenAiChatOptions extends LlmCallSettings {
  /** e.g. https://api.openai.com/v1 ; `/chat/completions` is appended. */
  baseUrl: string;
  model: string;
  apiKey?: string;
}

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

interface Completion {
  choices?: { message?: { content?: string | null } }[];
  usage?: WireUsage;
}

interface CompletionChunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: WireUsage | null;
  error?: { message?: string };
}

const WHAT = 'OpenAI chat';

const usageOf = (usage: WireUsage | null | undefined): LlmUsage => ({
  input_tokens: usage?.prompt_tokens ?? 0,
  output_tokens: usage?.completion_tokens ?? 0,
});

/** Any OpenAI-compatible `POST /chat/completions` endpoint (OpenAI, vLLM, Ollama, LiteLLM...). */
export class OpenAiChatLlm extends Llm {
  readonly model: string;
  private readonly url: string;

  constructor(private readonly options: OpenAiChatOptions) {
    super();
    this.model = options.model;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  complete(request: LlmRequest): Promise<LlmAnswer> {
    const call = llmCallOptions(WHAT, this.options, request.signal);
    // The body is read inside the attempt, so the timeout covers it and a bad answer is retried.
    return callUpstream(call, async (signal) => {
      const response = await this.post(request, false, signal);
      const payload = (await response.json()) as Completion;
      const text = payload.choices?.[0]?.message?.content;
      if (typeof text !== 'string') throw new LlmProviderError(`${WHAT} returned no message`);
      return { text, usage: usageOf(payload.usage) };
    });
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    const call = llmCallOptions(WHAT, this.options, request.signal);
    // Only connecting is retried: once tokens flow, a retry would repeat them.
    const { response, signal } = await callUpstream(call, async (signal) => ({
      response: await this.post(request, true, signal),
      signal,
    }));
    let usage = NO_USAGE;
    try {
      const events = response
        .body!.pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream());
      for await (const { data } of events) {
        if (data === '[DONE]') break;
        const chunk = JSON.parse(data) as CompletionChunk;
        if (chunk.error) {
          throw new LlmProviderError(`${WHAT} failed mid-stream: ${chunk.error.message}`);
        }
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) yield { type: 'token', text };
        if (chunk.usage) usage = usageOf(chunk.usage);
      }
    } catch (error) {
      throw streamFailure(call, signal, error);
    }
    yield { type: 'usage', usage };
  }

  private async post(request: LlmRequest, stream: boolean, signal: AbortSignal): Promise<Response> {
    const { system, messages } = request.prompt;
    const body = JSON.stringify({
      model: this.model,
      messages: [{ role: 'system', content: system }, ...messages],
      max_tokens: request.maxTokens,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    });
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body,
        signal,
      });
    } catch (error) {
      throw new RetryableError(`network error (${String(causeOf(error))})`, undefined, {
        cause: error,
      });
    }
    if (!response.ok) {
      const detail = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
      if (isRetryableStatus(response.status)) {
        throw new RetryableError(detail, parseRetryAfter(response.headers.get('retry-after')), {
          status: response.status,
        });
      }
      throw new LlmProviderError(`${WHAT} rejected the request (${detail})`);
    }
    return response;
  }
}

/** fetch reports every network failure as "fetch failed"; the reason is in its cause. */
const causeOf = (error: unknown): unknown =>
  error instanceof Error && error.cause instanceof Error ? error.cause.message : error;
