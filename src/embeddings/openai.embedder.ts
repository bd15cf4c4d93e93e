import { EmbeddingProviderError } from '../common/domain-errors';
import { Embedder, type EmbedderFingerprint } from './embedder.port';
import {
  callUpstream,
  isRetryableStatus,
  parseRetryAfter,
  RetryableError,
  type RetryOptions,
} from '../upstream/retry';

export interface OpenAiEmbedderOptions {
  /** e.g. https://api.openai.com/v1 ; `/embeddings` is appended. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Requested output size; learned from the first response when absent. */
  dimensions?: number;
  timeoutMs: number;
  retry: RetryOptions;
}

interface EmbeddingsResponse {
  data?: { index: number; embedding: number[] }[];
}

/** Any OpenAI-compatible `POST /embeddings` endpoint (OpenAI, Azure-style proxies, Ollama, vLLM...). */
export class OpenAiEmbedder extends Embedder {
  private dimension?: number;
  private readonly url: string;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    super();
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this.dimension = options.dimensions;
  }

  get fingerprint(): EmbedderFingerprint {
    if (this.dimension === undefined) {
      throw new Error('the OpenAI embedder dimension is unknown until ready() resolves');
    }
    return { provider: 'openai', model: this.options.model, dimension: this.dimension };
  }

  /** Probes once when no dimension is configured, so the fingerprint is known afterwards. */
  async ready(signal?: AbortSignal): Promise<void> {
    if (this.dimension === undefined) await this.embed(['dimension probe'], signal);
  }

  embedDocuments(texts: string[], _titles?: unknown, signal?: AbortSignal): Promise<number[][]> {
    return texts.length === 0 ? Promise.resolve([]) : this.embed(texts, signal);
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embed([text]);
    return vector;
  }

  private async embed(input: string[], signal?: AbortSignal): Promise<number[][]> {
    const { model, apiKey, dimensions, timeoutMs, retry } = this.options;
    const body = JSON.stringify({ model, input, dimensions, encoding_format: 'float' });
    const vectors = await callUpstream(
      { ...retry, what: 'OpenAI embeddings', timeoutMs, signal },
      async (attemptSignal) => {
        let response: Response;
        try {
          response = await fetch(this.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
            },
            body,
            signal: attemptSignal,
          });
        } catch (error) {
          throw new RetryableError('network error', undefined, { cause: error });
        }
        if (!response.ok) {
          const detail = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
          if (isRetryableStatus(response.status)) {
            throw new RetryableError(detail, parseRetryAfter(response.headers.get('retry-after')));
          }
          throw new EmbeddingProviderError(`OpenAI embeddings rejected the request (${detail})`);
        }
        const { data } = (await response.json()) as EmbeddingsResponse;
        if (!Array.isArray(data) || data.length !== input.length) {
          throw new EmbeddingProviderError('OpenAI embeddings returned a malformed response');
        }
        return [...data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
      },
    );
    this.checkDimension(vectors);
    return vectors;
  }

  private checkDimension(vectors: number[][]): void {
    this.dimension ??= vectors[0].length;
    if (vectors.some((v) => v.length !== this.dimension)) {
      throw new EmbeddingProviderError(
        `OpenAI embeddings returned vectors not of dimension ${this.dimension}`,
      );
    }
  }
}
