import { Module } from '@nestjs/common';
import { ENV } from '../config/env';
import { DocumentsModule } from '../documents/documents.module';
import { OperationRecorder } from '../observability/operation-recorder';
import { BedrockChatLlm } from './bedrock-chat.llm';
import { ExtractiveLlm } from './extractive.llm';
import { Llm } from './llm.port';
import { OpenAiChatLlm } from './openai-chat.llm';
import { RagChatConfig, ragChatConfigFrom } from './rag-chat.config';
import { RagChatController } from './rag-chat.controller';
import { RagChatService } from './rag-chat.service';
import { RecordedLlm } from './recorded.llm';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The one place the LLM provider is chosen (LLM_PROVIDER). */
export function createLlm(config: RagChatConfig): Llm {
  const { llm, extractiveMaxSentences } = config;
  switch (llm.provider) {
    case 'openai':
      return new OpenAiChatLlm({
        baseUrl: llm.baseUrl ?? OPENAI_BASE_URL,
        // The env schema requires a model for this provider.
        model: llm.model ?? '',
        apiKey: llm.apiKey,
        timeoutMs: llm.timeoutMs,
        maxRetries: llm.maxRetries,
      });
    case 'bedrock':
      return new BedrockChatLlm({
        model: llm.model,
        region: llm.awsRegion,
        endpoint: llm.bedrockEndpoint,
        timeoutMs: llm.timeoutMs,
        maxRetries: llm.maxRetries,
      });
    case 'extractive':
      return new ExtractiveLlm(extractiveMaxSentences);
  }
}

/** `POST /fast_chat`: answers grounded in retrieved chunks, as JSON or server-sent events. */
@Module({
  imports: [DocumentsModule],
  controllers: [RagChatController],
  providers: [
    { provide: RagChatConfig, useFactory: ragChatConfigFrom, inject: [ENV] },
    RagChatService,
    {
      provide: Llm,
      inject: [RagChatConfig, { token: OperationRecorder, optional: true }],
      useFactory: (config: RagChatConfig, recorder?: OperationRecorder) => {
        const llm = createLlm(config);
        return recorder ? new RecordedLlm(llm, recorder) : llm;
      },
    },
  ],
})
export class RagChatModule {}
