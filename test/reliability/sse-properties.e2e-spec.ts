import fc from 'fast-check';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  hang,
  openAiAnswer,
  openAiStalls,
  startLlmServer,
  status,
  type FakeLlmServer,
  type LlmHandler,
} from '../support/llm-servers';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';

const SEED = 20_261_130;
const RUNS = 30;
const COLLECTION = 'sse-properties';
/** Counts printed at the end: how each run ended. */
const outcomes: Record<string, number> = {};
afterAll(() => console.log(`sse property outcomes: ${JSON.stringify(outcomes)}`));

/** Text that tries to end a frame, forge an event or break the encoding. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    '\n\nevent: done\ndata: {}\n\n',
    'data: [DONE]',
    '\r\n\r\n: comment',
    '\r',
    '\u2028\u2029',
    '\uD800',
    '\u0000',
    'laptop',
    'When does a new engineer get a laptop?',
  ),
  // Up to about 2,800 characters: some over MAX_QUERY_CHARS.
  fc.integer({ min: 1, max: 400 }).map((n) => 'laptop '.repeat(n)),
);
/** What the fake model does: answer hostile text, fail, or stall after one token. */
const model: fc.Arbitrary<LlmHandler> = fc.oneof(
  { weight: 6, arbitrary: hostile.map(openAiAnswer) },
  { weight: 2, arbitrary: fc.constantFrom(500, 429, 400, 401).map((code) => status(code)) },
  { weight: 1, arbitrary: hostile.map(openAiStalls) },
  { weight: 1, arbitrary: fc.constant(hang) },
);
/** Mostly a valid value, so most runs reach the stream; sometimes a hostile one. */
const mostly = <T, H>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<H>) =>
  fc.oneof({ weight: 20, arbitrary: valid }, { weight: 1, arbitrary: wrong });
const body = fc.record(
  {
    // Mostly about the seeded document, so the model is called and its failures stream.
    question: mostly(
      fc
        .tuple(fc.constantFrom('When does a new engineer get a laptop? ', ''), hostile)
        .map(([topic, text]) => topic + text),
      fc.constantFrom(null, 7, ['q'], {}),
    ),
    collection: mostly(fc.constant(COLLECTION), fc.constantFrom('missing-collection', '../x', '')),
    // Streaming asked for; the malformed values must be refused as such.
    stream: mostly(fc.constant(true), fc.constantFrom('true', 1, 'yes', [true])),
    top_k: mostly(fc.constantFrom(1, 5), fc.constantFrom(0, 101, -1, 2.5)),
    history: mostly(
      fc.array(fc.record({ role: fc.constantFrom('user', 'assistant'), content: hostile }), {
        maxLength: 3,
      }),
      fc.constantFrom('x', [1], [{}], [{ role: 'system', content: 'x' }]),
    ),
    filter: mostly(fc.constantFrom({}, { title: 'Laptops' }), fc.constantFrom({ $and: [] }, 'x')),
  },
  { requiredKeys: ['question', 'stream'] },
);
const accept = fc.constantFrom('text/event-stream', 'application/json', '*/*', undefined);

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

/**
 * Reads an event stream strictly, as this API writes it: frames end with a blank line; each is
 * either a comment (heartbeat) or exactly `event: <name>` then `data: <one JSON value>`.
 */
function frames(text: string): Frame[] {
  expect(text.endsWith('\n\n')).toBe(true);
  const events: Frame[] = [];
  for (const frame of text.slice(0, -2).split('\n\n')) {
    const lines = frame.split('\n');
    if (lines.every((line) => line.startsWith(':'))) continue;
    expect(lines).toHaveLength(2);
    const [event, data] = lines;
    expect(event).toMatch(/^event: (sources|token|done|error)$/);
    expect(data.startsWith('data: ')).toBe(true);
    expect(data).not.toMatch(/\r/);
    events.push({ event: event.slice('event: '.length), data: JSON.parse(data.slice(6)) });
  }
  return events;
}

describe('server-sent events from /fast_chat under hostile bodies and a misbehaving model', () => {
  let llm: FakeLlmServer;
  let app: TestApp;
  let http: App;

  beforeAll(async () => {
    llm = await startLlmServer(openAiAnswer('unused'));
    app = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.url,
      LLM_MODEL: 'fake-gpt',
      LLM_API_KEY: 'sk-test',
      LLM_TIMEOUT_MS: '1000',
      LLM_MAX_RETRIES: '0',
      CHAT_SSE_HEARTBEAT_MS: '100',
      THROTTLE_LIMIT: '100000',
      THROTTLE_STRICT_LIMIT: '100000',
    });
    http = app.app.getHttpServer() as App;
    await request(http)
      .post('/chroma/update')
      .set('Authorization', app.bearer())
      .send({
        collection: COLLECTION,
        documents: [
          { id: 'laptops', text: '# Laptops\n\nEvery new engineer gets a laptop on day one.' },
        ],
      })
      .expect(200);
  });
  // The fake model closes even when close() reports invalid responses.
  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await llm?.close();
    }
  });

  it('answers a 4xx JSON error or a well-formed stream ending with done or error, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(body, accept, model, async (sent, acceptHeader, handler) => {
        llm.reply(handler);
        const req = request(http)
          .post('/fast_chat')
          .set('Authorization', app.bearer())
          .set('Content-Type', 'application/json');
        if (acceptHeader) req.set('Accept', acceptHeader);
        const res = await req.send(JSON.stringify(sent));
        const type = String(res.headers['content-type']);
        const count = (label: string) => (outcomes[label] = (outcomes[label] ?? 0) + 1);

        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          count(String(res.status));
          expect(type).toMatch(/^application\/json/);
          expect(res.body).toMatchObject({
            statusCode: res.status,
            error: expect.any(String),
            message: expect.any(String),
          });
          return;
        }
        expect(res.status).toBe(200);
        expect(type).toMatch(/^text\/event-stream/);
        const events = frames(res.text);
        const names = events.map((e) => e.event);
        expect(names[0]).toBe('sources');
        expect(['done', 'error']).toContain(names.at(-1));
        expect(names.slice(1, -1).every((name) => name === 'token')).toBe(true);
        const last = events.at(-1)!;
        count(
          last.event === 'error' ? `stream error ${String(last.data.statusCode)}` : 'stream done',
        );
        if (last.event === 'error') {
          expect(last.data).toMatchObject({
            statusCode: expect.any(Number),
            error: expect.any(String),
            message: expect.any(String),
          });
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);
});
