import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { InvalidInputError } from '../common/domain-errors';
import { DocumentsService } from '../documents/documents.service';
import type { QueryTier } from '../documents/dto/query-documents.dto';
import { answerableChunks, scoredBySimilarity } from './abstention';
import { CitationFilter } from './citations';
import type { ChatUsageDto, FastChatDto, FastChatResponseDto } from './dto/fast-chat.dto';
import { Llm, NO_USAGE, type LlmRequest } from './llm.port';
import {
  buildPrompt,
  fitHistory,
  numberSources,
  type Prompt,
  type PromptSource,
} from './prompt-builder';
import { RagChatConfig } from './rag-chat.config';

export const NO_SOURCES_ANSWER =
  "I don't know: no document in the collection is relevant enough to answer this question.";
/** Reported as the model when the answer was given without calling one. */
export const NO_MODEL = 'none';

/** Retrieval done and the prompt built: everything that can fail before an answer starts. */
export interface PreparedChat {
  question: string;
  sources: PromptSource[];
  tier: QueryTier;
  prompt: Prompt;
}

export type ChatEvent =
  | { event: 'token'; data: { text: string } }
  | { event: 'done'; data: { model: string; usage: ChatUsageDto } };

@Injectable()
export class RagChatService {
  private readonly settings: RagChatConfig;

  constructor(
    config: RagChatConfig,
    private readonly documents: DocumentsService,
    private readonly llm: Llm,
  ) {
    this.settings = config;
  }

  async prepare(user: Principal, input: FastChatDto): Promise<PreparedChat> {
    const history = input.history ?? [];
    if (history.length > this.settings.historyMaxMessages) {
      throw new InvalidInputError(
        'history',
        `must contain at most ${this.settings.historyMaxMessages} messages`,
      );
    }
    // Access checks, filter validation and fallback, and the rerank all live in DocumentsService.
    const { results, tier } = await this.documents.query(user, {
      query: input.question,
      collection: input.collection,
      top_k: input.top_k,
      filter: input.filter,
    });
    const relevant = answerableChunks(
      input.question,
      scoredBySimilarity(results),
      this.settings.abstention,
    );
    const sources = numberSources(relevant, this.settings.contextMaxChars);
    const turns = fitHistory(history, this.settings.historyMaxChars);
    return {
      question: input.question,
      sources,
      tier,
      prompt: buildPrompt(input.question, sources, turns),
    };
  }

  async answer(chat: PreparedChat, signal?: AbortSignal): Promise<FastChatResponseDto> {
    const { sources, tier } = chat;
    if (sources.length === 0) {
      return { answer: NO_SOURCES_ANSWER, sources, model: NO_MODEL, usage: NO_USAGE, tier };
    }
    const { text, usage } = await this.llm.complete(this.request(chat, signal));
    const answer = CitationFilter.clean(text, sources.length);
    return { answer, sources, model: this.llm.model, usage, tier };
  }

  /** The events after `sources`: answer tokens (citations checked), then `done`. */
  async *stream(chat: PreparedChat, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    if (chat.sources.length === 0) {
      yield { event: 'token', data: { text: NO_SOURCES_ANSWER } };
      yield { event: 'done', data: { model: NO_MODEL, usage: NO_USAGE } };
      return;
    }
    const citations = new CitationFilter(chat.sources.length);
    let usage = NO_USAGE;
    for await (const event of this.llm.stream(this.request(chat, signal))) {
      if (event.type === 'usage') {
        usage = event.usage;
        continue;
      }
      const text = citations.push(event.text);
      if (text) yield { event: 'token', data: { text } };
    }
    const rest = citations.flush();
    if (rest) yield { event: 'token', data: { text: rest } };
    yield { event: 'done', data: { model: this.llm.model, usage } };
  }

  private request(chat: PreparedChat, signal?: AbortSignal): LlmRequest {
    return {
      prompt: chat.prompt,
      question: chat.question,
      sources: chat.sources,
      maxTokens: this.settings.llm.maxTokens,
      signal,
    };
  }
}
