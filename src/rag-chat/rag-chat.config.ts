import type { Env } from '../config/env.schema';
import type { AbstentionRule } from './abstention';

/** The LLM behind `POST /fast_chat` and how much context, history and time it gets. */
export abstract class RagChatConfig {
  abstract readonly llm: {
    provider: Env['LLM_PROVIDER'];
    model?: string;
    baseUrl?: string;
    apiKey?: string;
    /** Bounds one upstream attempt, streamed answer included. */
    timeoutMs: number;
    maxRetries: number;
    /** Output tokens asked for per request. */
    maxTokens: number;
    awsRegion: string;
    bedrockEndpoint?: string;
  };
  /** When retrieved chunks are not shown to the model, and with none left it says "I don't know". */
  abstract readonly abstention: AbstentionRule;
  abstract readonly contextMaxChars: number;
  abstract readonly historyMaxChars: number;
  abstract readonly historyMaxMessages: number;
  abstract readonly sseHeartbeatMs: number;
  abstract readonly extractiveMaxSentences: number;
}

/** Built once at boot from the validated environment (RagChatModule's provider). */
export const ragChatConfigFrom = (env: Env): RagChatConfig => ({
  llm: {
    provider: env.LLM_PROVIDER,
    model: env.LLM_MODEL,
    baseUrl: env.LLM_BASE_URL,
    apiKey: env.LLM_API_KEY,
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
    maxTokens: env.LLM_MAX_TOKENS,
    awsRegion: env.AWS_REGION,
    bedrockEndpoint: env.BEDROCK_ENDPOINT,
  },
  abstention: { minScore: env.CHAT_MIN_SCORE, minCoverage: env.CHAT_MIN_COVERAGE },
  contextMaxChars: env.CHAT_CONTEXT_MAX_CHARS,
  historyMaxChars: env.CHAT_HISTORY_MAX_CHARS,
  historyMaxMessages: env.CHAT_HISTORY_MAX_MESSAGES,
  sseHeartbeatMs: env.CHAT_SSE_HEARTBEAT_MS,
  extractiveMaxSentences: env.CHAT_EXTRACTIVE_MAX_SENTENCES,
});
