import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { classifyBedrockError, createBedrockClient } from '../upstream/bedrock-runtime';
import { EmbeddingProviderError } from '../common/domain-errors';
import { Embedder, type EmbedderFingerprint } from './embedder.port';
import { callUpstream, type RetryOptions } from '../upstream/retry';

export const DEFAULT_BEDROCK_MODEL = 'amazon.titan-embed-text-v2:0';
const TITAN_V2_DEFAULT_DIMENSIONS = 1024;

export interface BedrockEmbedderOptions {
  model?: string;
  dimensions?: number;
  region: string;
  /** Overrides the regional endpoint (tests, VPC endpoints). */
  endpoint?: string;
  timeoutMs: number;
  retry: RetryOptions;
  /** Titan embeds one text per call; this many calls run at once. */
  concurrency?: number;
}

/** Amazon Titan text embeddings through Bedrock's InvokeModel, with the SDK's credential chain. */
export class BedrockEmbedder extends Embedder {
  readonly fingerprint: EmbedderFingerprint;
  private readonly client: BedrockRuntimeClient;
  private readonly model: string;
  private readonly dimensions: number;

  constructor(private readonly options: BedrockEmbedderOptions) {
    super();
    this.model = options.model ?? DEFAULT_BEDROCK_MODEL;
    this.dimensions = options.dimensions ?? TITAN_V2_DEFAULT_DIMENSIONS;
    this.fingerprint = { provider: 'bedrock', model: this.model, dimension: this.dimensions };
    // The SDK's own retries are off: ours honour our timeout, budget and Retry-After uniformly.
    // HTTP/1.1 instead of the client's default HTTP/2: InvokeModel does not stream, and this
    // also works through plain-HTTP endpoints (proxies, tests).
    this.client = createBedrockClient(options.region, options.endpoint);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async embedDocuments(
    texts: string[],
    _titles?: unknown,
    signal?: AbortSignal,
  ): Promise<number[][]> {
    const results = new Array<number[]>(texts.length);
    let next = 0;
    const worker = async () => {
      while (next < texts.length) {
        const i = next++;
        results[i] = await this.embedOne(texts[i], signal);
      }
    };
    const workers = Math.min(this.options.concurrency ?? 8, texts.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return results;
  }

  embedQuery(text: string): Promise<number[]> {
    return this.embedOne(text);
  }

  private embedOne(inputText: string, signal?: AbortSignal): Promise<number[]> {
    const { timeoutMs, retry } = this.options;
    const command = new InvokeModelCommand({
      modelId: this.model,
      contentType: 'application/json',
      accept: 'application/json',
      body: JSON.stringify({ inputText, dimensions: this.dimensions, normalize: true }),
    });
    return callUpstream(
      { ...retry, what: 'Bedrock embeddings', timeoutMs, signal },
      async (abortSignal) => {
        let body: Uint8Array;
        try {
          ({ body } = await this.client.send(command, { abortSignal }));
        } catch (error) {
          throw classify(error);
        }
        const { embedding } = JSON.parse(Buffer.from(body).toString('utf8')) as {
          embedding?: number[];
        };
        if (!Array.isArray(embedding) || embedding.length !== this.dimensions) {
          throw new EmbeddingProviderError(`Bedrock returned no ${this.dimensions}-d embedding`);
        }
        return embedding;
      },
    );
  }
}

const classify = (error: unknown): Error =>
  classifyBedrockError(
    error,
    (detail, cause) =>
      new EmbeddingProviderError(`Bedrock rejected the request (${detail})`, { cause }),
  );
