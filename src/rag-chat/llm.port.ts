import type { Prompt, PromptSource } from './prompt-builder';

export interface LlmUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface LlmRequest {
  /** What remote models read: the system instruction and the conversation with its sources. */
  prompt: Prompt;
  /** The raw question and numbered sources, for providers that work on them directly. */
  question: string;
  sources: PromptSource[];
  maxTokens: number;
  /** Fires when the answer is no longer wanted (the client went away). */
  signal?: AbortSignal;
}

export interface LlmAnswer {
  text: string;
  usage: LlmUsage;
}

export type LlmStreamEvent = { type: 'token'; text: string } | { type: 'usage'; usage: LlmUsage };

/** The port the chat service answers through; one provider is chosen at boot. */
export abstract class Llm {
  /** Reported with every answer. */
  abstract readonly model: string;

  abstract complete(request: LlmRequest): Promise<LlmAnswer>;

  /** Tokens as they are produced, then usage (when the provider reports it). */
  abstract stream(request: LlmRequest): AsyncIterable<LlmStreamEvent>;
}

export const NO_USAGE: LlmUsage = { input_tokens: 0, output_tokens: 0 };
