import { parseEnv } from '../config/env';
import { BedrockChatLlm } from './bedrock-chat.llm';
import { ExtractiveLlm } from './extractive.llm';
import { OpenAiChatLlm } from './openai-chat.llm';
import { ragChatConfigFrom } from './rag-chat.config';
import { createLlm } from './rag-chat.module';

const configWith = (env: Record<string, string>) =>
  ragChatConfigFrom(parseEnv({ NODE_ENV: 'test', DATA_DIR: '/tmp/rag-chat-spec', ...env }));

describe('createLlm', () => {
  it('defaults to the offline extractive provider', () => {
    expect(createLlm(configWith({}))).toBeInstanceOf(ExtractiveLlm);
  });

  it('picks the provider named by LLM_PROVIDER', () => {
    const openai = createLlm(configWith({ LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-x' }));
    expect(openai).toBeInstanceOf(OpenAiChatLlm);
    expect(openai.model).toBe('gpt-x');
    const bedrock = createLlm(configWith({ LLM_PROVIDER: 'bedrock' }));
    expect(bedrock).toBeInstanceOf(BedrockChatLlm);
    expect(bedrock.model).toBe('amazon.nova-micro-v1:0');
  });

  it('refuses the openai provider without a model', () => {
    expect(() => configWith({ LLM_PROVIDER: 'openai' })).toThrow('LLM_MODEL');
  });
});
