import { listenOnLoopback } from './support/openapi-server';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

interface ApiError {
  statusCode: number;
  error: string;
  message: string;
}

const COLLECTION = `errors-${Date.now().toString(36)}`;
const EXPECTED_TYPES = 'send Content-Type: application/json (multipart/form-data for file uploads)';

describe('error messages: one notation, one message per mistake, the body type named', () => {
  let testApp: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl() });
    baseUrl = await listenOnLoopback(testApp);
  });

  afterAll(() => testApp?.close());

  const post = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: testApp.bearer(), ...headers },
      body,
    });
  const errorOf = async (response: Response) => (await response.json()) as ApiError;
  const postJson = (path: string, body: unknown) =>
    post(path, JSON.stringify(body), { 'content-type': 'application/json' });

  it('says a string top_k must be an integer, once', async () => {
    const response = await postJson('/chroma/query', { query: 'laptop', top_k: '3' });
    expect([response.status, await response.json()]).toEqual([
      400,
      { statusCode: 400, error: 'Bad Request', message: 'top_k: must be an integer' },
    ]);
  });

  it('names fields inside lists as documents[0].field, from the pipe and the service alike', async () => {
    const wrongType = await postJson('/chroma/update', {
      collection: COLLECTION,
      documents: [{ id: 'a', text: 5 }],
    });
    expect([wrongType.status, (await errorOf(wrongType)).message]).toEqual([
      400,
      'documents[0].text: must be a string',
    ]);
    const wrongMetadata = await postJson('/chroma/update', {
      collection: COLLECTION,
      documents: [{ id: 'a', text: 'x', metadata: { tags: ['a', 'b'] } }],
    });
    expect([wrongMetadata.status, (await errorOf(wrongMetadata)).message]).toEqual([
      400,
      'documents[0].metadata.tags: must be a string, finite number or boolean',
    ]);
    const unknownField = await postJson('/chroma/update', {
      collection: COLLECTION,
      documents: [{ id: 'a', text: 'x', tags: 'a' }],
    });
    expect([unknownField.status, (await errorOf(unknownField)).message]).toEqual([
      400,
      'documents[0].tags: is not an accepted field',
    ]);
  });

  it.each([
    // fetch sends no Content-Type for bytes.
    ['missing', {}, 'Content-Type is missing'],
    // fetch's default for a string body.
    ['text/plain', { 'content-type': 'text/plain;charset=UTF-8' }, 'Content-Type text/plain'],
    // What `curl -d` sends without `-H 'Content-Type: application/json'`.
    [
      'a form',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'Content-Type application/x-www-form-urlencoded',
    ],
  ])(
    'answers a JSON body sent with Content-Type %s with 415 naming what to send',
    async (_name, headers, says) => {
      const json = new TextEncoder().encode(JSON.stringify({ query: 'laptop' }));
      const response = await post('/chroma/query', json, headers);
      const body = await errorOf(response);
      expect([response.status, body.error]).toEqual([415, 'Unsupported Media Type']);
      expect(body.message).toContain(says);
      expect(body.message).toContain(EXPECTED_TYPES);
    },
  );

  it('answers 401, not 415, to a caller without a valid token', async () => {
    const response = await fetch(`${baseUrl}/chroma/query`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: 'laptop' }),
    });
    expect(response.status).toBe(401);
  });

  it('answers a POST without a body as missing fields, not as a wrong Content-Type', async () => {
    const response = await fetch(`${baseUrl}/chroma/query`, {
      method: 'POST',
      headers: { authorization: testApp.bearer() },
    });
    expect([response.status, (await errorOf(response)).message]).toEqual([
      400,
      'query: must be a string',
    ]);
  });
});
