import { EmbeddingProviderError, UpstreamTimeoutError } from '../src/common/domain-errors';
import { BedrockEmbedder } from '../src/embeddings/bedrock.embedder';
import { CachingEmbedder } from '../src/embeddings/caching.embedder';
import { OpenAiEmbedder } from '../src/embeddings/openai.embedder';
import {
  startFakeUpstream,
  type FakeUpstream,
  type UpstreamHandler,
} from './support/fake-upstream';

/** The fields of both wire formats that the tests look at. */
interface RequestBody {
  input?: string[];
  inputText?: string;
  dimensions?: number;
}

type Handler = UpstreamHandler<RequestBody>;
type FakeServer = FakeUpstream<RequestBody>;
const startServer = (fallback: Handler): Promise<FakeServer> => startFakeUpstream(fallback);

const json =
  (status: number, payload: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, _body, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  };
const hang: Handler = () => undefined;

/** Deterministic fake vector: [length of text, position marker]. */
const fakeVector = (text: string): number[] => [text.length, 0.5];

const openAiOk: Handler = (_req, body, res) => {
  // Out of order on purpose: clients must sort by index.
  const data = (body.input ?? [])
    .map((text, index) => ({ index, embedding: fakeVector(text) }))
    .reverse();
  json(200, { object: 'list', data, model: 'fake', usage: { prompt_tokens: 1, total_tokens: 1 } })(
    _req,
    body,
    res,
  );
};

const bedrockOk: Handler = (_req, body, res) =>
  json(200, { embedding: fakeVector(body.inputText ?? ''), inputTextTokenCount: 3 })(
    _req,
    body,
    res,
  );

const fastRetry = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 20 };

describe('OpenAI-compatible embeddings over HTTP', () => {
  let server: FakeServer;
  beforeAll(async () => (server = await startServer(openAiOk)));
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.reply(openAiOk);
  });

  const embedder = (overrides: Partial<ConstructorParameters<typeof OpenAiEmbedder>[0]> = {}) =>
    new OpenAiEmbedder({
      baseUrl: `${server.url}/v1`,
      model: 'text-embedding-3-small',
      apiKey: 'sk-test',
      timeoutMs: 2000,
      retry: fastRetry,
      ...overrides,
    });

  it('returns vectors in input order, sends the key as bearer and learns the dimension', async () => {
    const openai = embedder();
    await openai.ready();
    expect(openai.fingerprint).toEqual({
      provider: 'openai',
      model: 'text-embedding-3-small',
      dimension: 2,
    });
    const vectors = await openai.embedDocuments(['a', 'bbb', 'cc']);
    expect(vectors).toEqual([fakeVector('a'), fakeVector('bbb'), fakeVector('cc')]);
    const last = server.requests.at(-1)!;
    expect(last.path).toBe('/v1/embeddings');
    expect(last.headers.authorization).toBe('Bearer sk-test');
    expect(last.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'bbb', 'cc'],
      encoding_format: 'float',
    });
  });

  it('splits document batches across requests behind the caching layer', async () => {
    const cached = new CachingEmbedder(embedder({ dimensions: 2 }), {
      cacheSize: 10,
      batchSize: 2,
    });
    const vectors = await cached.embedDocuments(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3, 4, 5]);
    expect(server.requests.map((r) => r.body.input)).toEqual([
      ['a', 'bb'],
      ['ccc', 'dddd'],
      ['eeeee'],
    ]);
    expect(server.requests[0].body.dimensions).toBe(2);
  });

  it('cancels its dimension probe once the signal given to ready() aborts', async () => {
    server.reply(hang);
    const shutdown = new AbortController();
    const probing = embedder({ timeoutMs: 60_000 }).ready(shutdown.signal);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new Error('shutting down');
    shutdown.abort(reason);
    await expect(probing).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('waits for Retry-After after a 429, then succeeds', async () => {
    server.reply(json(429, { error: { message: 'slow down' } }, { 'retry-after': '1' }), openAiOk);
    await expect(embedder({ dimensions: 2 }).embedQuery('hello')).resolves.toEqual(
      fakeVector('hello'),
    );
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
  });

  it('retries a 500 and then succeeds', async () => {
    server.reply(json(500, { error: 'boom' }), openAiOk);
    await expect(embedder({ dimensions: 2 }).embedQuery('x')).resolves.toEqual(fakeVector('x'));
    expect(server.requests).toHaveLength(2);
  });

  it('reports persistent failure as EmbeddingProviderError after maxRetries', async () => {
    server.reply(json(503, { error: 'down' }));
    await expect(embedder({ dimensions: 2 }).embedQuery('x')).rejects.toBeInstanceOf(
      EmbeddingProviderError,
    );
    expect(server.requests).toHaveLength(1 + fastRetry.maxRetries);
  });

  it('does not retry a 400', async () => {
    server.reply(json(400, { error: 'bad model' }));
    await expect(embedder({ dimensions: 2 }).embedQuery('x')).rejects.toThrow(/HTTP 400/);
    expect(server.requests).toHaveLength(1);
  });

  it('turns a slow server into UpstreamTimeoutError within the timeout', async () => {
    server.reply(hang);
    const started = Date.now();
    await expect(
      embedder({ dimensions: 2, timeoutMs: 300 }).embedQuery('x'),
    ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports an unreachable server as EmbeddingProviderError after retrying', async () => {
    const closed = await startServer(openAiOk);
    await closed.close();
    await expect(
      new OpenAiEmbedder({
        baseUrl: closed.url,
        model: 'm',
        dimensions: 2,
        timeoutMs: 1000,
        retry: fastRetry,
      }).embedQuery('x'),
    ).rejects.toBeInstanceOf(EmbeddingProviderError);
  });
});

describe('Bedrock Titan embeddings over HTTP', () => {
  let server: FakeServer;
  beforeAll(async () => {
    // The SDK's credential chain reads these itself; the fake server ignores the signature.
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    server = await startServer(bedrockOk);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.reply(bedrockOk);
  });

  const embedder = (timeoutMs = 2000) =>
    new BedrockEmbedder({
      dimensions: 2,
      region: 'us-east-1',
      endpoint: server.url,
      timeoutMs,
      retry: fastRetry,
      concurrency: 2,
    });

  it('invokes the model once per text, signed, and keeps the order', async () => {
    const bedrock = embedder();
    await bedrock.ready();
    expect(bedrock.fingerprint).toEqual({
      provider: 'bedrock',
      model: 'amazon.titan-embed-text-v2:0',
      dimension: 2,
    });
    const vectors = await bedrock.embedDocuments(['a', 'bbb', 'cc', 'dddd']);
    expect(vectors).toEqual(['a', 'bbb', 'cc', 'dddd'].map(fakeVector));
    expect(server.requests).toHaveLength(4);
    expect(server.requests[0].path).toBe(
      `/model/${encodeURIComponent('amazon.titan-embed-text-v2:0')}/invoke`,
    );
    expect(server.requests[0].body).toEqual({
      inputText: expect.any(String),
      dimensions: 2,
      normalize: true,
    });
    expect(server.requests[0].headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//,
    );
  });

  it('retries throttling after Retry-After and a 500, then succeeds', async () => {
    const throttled = json(
      429,
      { message: 'Too many requests' },
      {
        'x-amzn-errortype': 'ThrottlingException',
        'retry-after': '1',
      },
    );
    server.reply(
      throttled,
      json(500, { message: 'oops' }, { 'x-amzn-errortype': 'InternalServerException' }),
      bedrockOk,
    );
    await expect(embedder().embedQuery('hey')).resolves.toEqual(fakeVector('hey'));
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
  });

  it('reports persistent failure as EmbeddingProviderError', async () => {
    server.reply(
      json(503, { message: 'unavailable' }, { 'x-amzn-errortype': 'ServiceUnavailableException' }),
    );
    await expect(embedder().embedQuery('x')).rejects.toBeInstanceOf(EmbeddingProviderError);
    expect(server.requests).toHaveLength(1 + fastRetry.maxRetries);
  });

  it('turns a slow server into UpstreamTimeoutError within the timeout', async () => {
    server.reply(hang);
    const started = Date.now();
    await expect(embedder(300).embedQuery('x')).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
