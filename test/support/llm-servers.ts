import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import {
  startFakeUpstream,
  type FakeUpstream,
  type UpstreamHandler,
  type UpstreamRequest,
} from './fake-upstream';

/** The fields of both wire formats (OpenAI chat, Bedrock Converse) the tests look at. */
export interface LlmRequestBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  /** OpenAI: `content` is a string; Bedrock: a list of `{ text }` blocks. */
  messages?: { role: string; content: string | { text: string }[] }[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number };
}

export type RecordedRequest = UpstreamRequest<LlmRequestBody>;
export type LlmHandler = UpstreamHandler<LlmRequestBody>;
export type FakeLlmServer = FakeUpstream<LlmRequestBody>;

/** A real HTTP server on 127.0.0.1 standing in for a model provider. */
export const startLlmServer = (fallback: LlmHandler): Promise<FakeLlmServer> =>
  startFakeUpstream(fallback);

export const status =
  (code: number, payload: unknown = { error: { message: `fake ${code}` } }): LlmHandler =>
  (_req, _body, res) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };

/** Never answers: for timeouts. */
export const hang: LlmHandler = () => undefined;

/** Splits an answer into small pieces, cutting citations in half on purpose. */
export const pieces = (text: string): string[] => text.match(/.{1,4}/gs) ?? [];

// ---- OpenAI chat completions ----------------------------------------------------------------

const OPENAI_USAGE = { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 };

/** Answers `text`, as one JSON completion or as SSE chunks with usage and [DONE]. */
export const openAiAnswer =
  (text: string): LlmHandler =>
  (_req, body, res) => {
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          model: body.model,
          choices: [
            { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
          ],
          usage: OPENAI_USAGE,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (payload: object) =>
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', ...payload })}\n\n`,
      );
    chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] });
    for (const piece of pieces(text)) chunk({ choices: [{ index: 0, delta: { content: piece } }] });
    chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    if (body.stream_options?.include_usage) chunk({ choices: [], usage: OPENAI_USAGE });
    res.end('data: [DONE]\n\n');
  };

/** Streams one token, then stays silent with the connection open. */
export const openAiStalls =
  (first: string): LlmHandler =>
  (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: first } }] })}\n\n`,
    );
  };

// ---- Bedrock Converse / ConverseStream ------------------------------------------------------

const BEDROCK_USAGE = { inputTokens: 40, outputTokens: 6, totalTokens: 46 };
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One AWS event-stream frame carrying a ConverseStream event. */
export const bedrockFrame = (eventType: string, payload: object): Uint8Array =>
  codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });

/** Answers `text` on /converse (JSON) or /converse-stream (event-stream frames). */
export const bedrockAnswer =
  (text: string): LlmHandler =>
  (req, _body, res) => {
    if (!req.url?.endsWith('/converse-stream')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text }] } },
          stopReason: 'end_turn',
          usage: BEDROCK_USAGE,
          metrics: { latencyMs: 5 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    res.write(bedrockFrame('messageStart', { role: 'assistant' }));
    for (const piece of pieces(text)) {
      res.write(
        bedrockFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }),
      );
    }
    res.write(bedrockFrame('contentBlockStop', { contentBlockIndex: 0 }));
    res.write(bedrockFrame('messageStop', { stopReason: 'end_turn' }));
    res.end(bedrockFrame('metadata', { usage: BEDROCK_USAGE, metrics: { latencyMs: 5 } }));
  };

/** Streams one delta, then stays silent with the connection open. */
export const bedrockStalls =
  (first: string): LlmHandler =>
  (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    res.write(bedrockFrame('messageStart', { role: 'assistant' }));
    res.write(bedrockFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: first } }));
  };
