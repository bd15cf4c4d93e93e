import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DocumentsModule } from '../documents/documents.module';
import { OperationRecorder } from '../observability/operation-recorder';
import { BedrockChatLlm } from './bedrock-chat.llm';
import { ExtractiveLlm } from './extractive.llm';
import { Llm } from './llm.port';
import { OpenAiChatLlm } from './openai-chat.llm';
import { RagChatController } from './rag-chat.controller';
import { RagChatService } from './rag-chat.service';
import { RecordedLlm } from './recorded.llm';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The one place the LLM provider is chosen (LLM_PROVIDER). */
export function createLlm(config: AppConfig): Llm {
  const { llm, extractiveMaxSentences } = config.chat;
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
    RagChatService,
    {
      provide: Llm,
      inject: [AppConfig, { token: OperationRecorder, optional: true }],
      useFactory: (config: AppConfig, recorder?: OperationRecorder) => {
        const llm = createLlm(config);
        return recorder ? new RecordedLlm(llm, recorder) : llm;
      },
    },
  ],
})
export class RagChatModule {}
