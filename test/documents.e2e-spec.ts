import request from 'supertest';
import type { App } from 'supertest/types';
import { Embedder } from '../src/embeddings/embedder.port';
import { VectorStore } from '../src/vector-store/vector-store.port';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const LIMITS = {
  MAX_DOCUMENTS_PER_REQUEST: '20',
  MAX_TEXT_BYTES: '20000',
  BODY_LIMIT_BYTES: '200000',
  CHUNK_SIZE: '300',
  CHUNK_OVERLAP: '40',
};

const paragraphs = (topic: string, count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `Section ${i} about ${topic}. ${topic} details number ${i} are explained here at length.`,
  ).join('\n\n');

const CORPUS = [
  {
    id: 'kb/laptops',
    text: '# Laptop policy\n\nEvery new engineer receives a laptop on the first day. Laptops are replaced every three years.',
    metadata: { file_type: 'pdf', team: 'it' },
  },
  {
    id: 'kb/holidays',
    text: '# Holidays\n\nEmployees get twenty five days of paid vacation per year, plus public holidays.',
    metadata: { doctype: 'Markdown', team: 'hr' },
  },
  {
    id: 'kb/expenses',
    text: '# Expenses\n\nTravel expenses are reimbursed within thirty days when receipts are attached.',
  },
];

describe.each([
  ['http', () => ({ CHROMA_HOST: sharedChromaUrl() })],
  ['embedded', () => ({ CHROMA_HOST: undefined })],
])('documents API (%s strategy)', (_strategy, strategyEnv) => {
  let testApp: TestApp;
  let http: App;
  let store: VectorStore;
  let admin: string;
  /** supertest with the admin token; the auth rules themselves are tested in auth.e2e-spec. */
  const api = {
    get: (path: string) => request(http).get(path).set('Authorization', admin),
    post: (path: string) => request(http).post(path).set('Authorization', admin),
    delete: (path: string) => request(http).delete(path).set('Authorization', admin),
  };
  const collection = `docs-${_strategy}-${Date.now()}`;

  beforeAll(async () => {
    testApp = await createTestApp({ ...LIMITS, ...strategyEnv() });
    http = testApp.app.getHttpServer() as App;
    store = testApp.app.get(VectorStore);
    admin = testApp.bearer();
    expect(store.strategy).toBe(_strategy);
    await api
      .post('/chroma/update')
      .send({ collection, documents: CORPUS })
      .expect(200)
      .expect(({ body }) => {
        expect(body.results.map((r: { status: string }) => r.status)).toEqual([
          'created',
          'created',
          'created',
        ]);
      });
  });

  afterAll(() => testApp?.close());

  const query = (body: Record<string, unknown>) =>
    api.post('/chroma/query').send({ collection, ...body });

  const snapshot = async () => {
    const info = await store.describeCollection(collection);
    const doc = await api
      .get(`/chroma/documents/${encodeURIComponent('kb/laptops')}`)
      .query({ collection });
    return { count: info?.count, doc: doc.body as unknown };
  };

  it('answers a query with the relevant chunk first, scored by cosine similarity', async () => {
    const { body } = await query({
      query: 'When does a new hire get a computer?',
      top_k: 3,
    }).expect(200);
    expect(body.tier).toBe('exact');
    expect(body.results).toHaveLength(3);
    expect(body.results[0]).toMatchObject({ document_id: 'kb/laptops', id: 'kb/laptops#0' });
    expect(body.results[0].metadata).toMatchObject({
      title: 'Laptop policy',
      file_type: 'pdf',
      team: 'it',
    });
    for (const { score } of body.results as { score: number }[]) {
      expect(score).toBeGreaterThanOrEqual(-1);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(body.results[0].score).toBeGreaterThan(0);
  });

  it('returns results in the order of their score, both figures at most 4 decimals', async () => {
    const { body } = await query({ query: 'laptop policy for new engineers', top_k: 5 }).expect(
      200,
    );
    const results = body.results as { score: number; similarity: number }[];
    expect(results.length).toBeGreaterThan(1);
    const decimals = (value: number) => (String(value).split('.')[1] ?? '').length;
    results.forEach(({ score, similarity }, i) => {
      if (i > 0) expect(score).toBeLessThanOrEqual(results[i - 1].score);
      expect(decimals(score)).toBeLessThanOrEqual(4);
      expect(decimals(similarity)).toBeLessThanOrEqual(4);
      expect(Math.abs(similarity)).toBeLessThanOrEqual(1);
    });
  });

  it('fills missing metadata with defaults and normalises doctype into file_type', async () => {
    const { body } = await api
      .get('/chroma/documents/kb%2Fexpenses')
      .query({ collection })
      .expect(200);
    expect(body.metadata).toMatchObject({
      title: 'Expenses',
      file_type: 'txt',
      source: 'kb/expenses',
    });
    const holidays = await api
      .get('/chroma/documents/kb%2Fholidays')
      .query({ collection })
      .expect(200);
    expect(holidays.body.metadata).toMatchObject({ file_type: 'md', doctype: 'Markdown' });
  });

  describe('tiered filter fallback', () => {
    it('uses the filter as given when it matches', async () => {
      const { body } = await query({ query: 'vacation days', filter: { team: 'hr' } }).expect(200);
      expect(body.tier).toBe('exact');
      expect(body.results.map((r: { document_id: string }) => r.document_id)).toEqual([
        'kb/holidays',
      ]);
    });

    it('falls back to file_type/doctype variants (MIME type, case, dot)', async () => {
      const { body } = await query({
        query: 'laptop',
        filter: { file_type: 'application/pdf' },
      }).expect(200);
      expect(body.tier).toBe('variants');
      expect(body.results.map((r: { document_id: string }) => r.document_id)).toEqual([
        'kb/laptops',
      ]);
      const viaDoctype = await query({ query: 'laptop', filter: { doctype: '.PDF' } }).expect(200);
      expect(viaDoctype.body.tier).toBe('variants');
      expect(viaDoctype.body.results[0].document_id).toBe('kb/laptops');
    });

    it('matches legacy chunks that only carry a doctype spelled another way', async () => {
      const legacy = `${collection}-legacy`;
      const embedder = testApp.app.get(Embedder);
      await store.ensureCollection(legacy, embedder.fingerprint);
      const [vector] = await embedder.embedDocuments(['Quarterly revenue report for the board']);
      await store.upsert(legacy, [
        {
          id: 'old-1#0',
          embedding: vector,
          text: 'Quarterly revenue report for the board',
          metadata: { doctype: '.PDF', document_id: 'old-1' },
        },
      ]);
      const { body } = await api
        .post('/chroma/query')
        .send({ collection: legacy, query: 'revenue', filter: { file_type: 'pdf' } })
        .expect(200);
      expect(body.tier).toBe('variants');
      expect(body.results[0].id).toBe('old-1#0');
    });

    it('drops the filter when nothing matches it', async () => {
      const { body } = await query({
        query: 'travel receipts',
        filter: { file_type: 'docx' },
      }).expect(200);
      expect(body.tier).toBe('unfiltered');
      expect(body.results[0].document_id).toBe('kb/expenses');
    });
  });

  it('treats re-sending the same document as a no-op', async () => {
    const before = await snapshot();
    const { body } = await api
      .post('/chroma/update')
      .send({ collection, documents: CORPUS })
      .expect(200);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('replaces the chunks of an edited document, deleting those it no longer has', async () => {
    const id = 'kb/handbook';
    const long = await api
      .post('/chroma/update')
      .send({ collection, documents: [{ id, text: paragraphs('onboarding', 12) }] })
      .expect(200);
    expect(long.body.results[0]).toMatchObject({ status: 'created' });
    expect(long.body.results[0].chunks).toBeGreaterThan(3);
    const countLong = (await store.describeCollection(collection))?.count ?? 0;

    const short = await api
      .post('/chroma/update')
      .send({ collection, documents: [{ id, text: 'Onboarding now fits in one line.' }] })
      .expect(200);
    expect(short.body.results[0]).toEqual({ id, chunks: 1, status: 'updated' });
    const doc = await api
      .get(`/chroma/documents/${encodeURIComponent(id)}`)
      .query({ collection })
      .expect(200);
    expect(doc.body.chunks).toEqual([
      { id: `${id}#0`, index: 0, text: 'Onboarding now fits in one line.' },
    ]);
    expect((await store.describeCollection(collection))?.count).toBe(
      countLong - long.body.results[0].chunks + 1,
    );

    const removed = await api
      .delete(`/chroma/documents/${encodeURIComponent(id)}`)
      .query({ collection })
      .expect(200);
    expect(removed.body).toEqual({ id, collection, deleted_chunks: 1 });
    await api
      .get(`/chroma/documents/${encodeURIComponent(id)}`)
      .query({ collection })
      .expect(404);
    await api
      .delete(`/chroma/documents/${encodeURIComponent(id)}`)
      .query({ collection })
      .expect(404);
  });

  it('answers a query after an edit exactly as a collection that only held the new text', async () => {
    const id = 'kb/parking';
    const question = { query: 'Where do employees park their bicycles?', top_k: 4 };
    const before = 'Bicycles are parked in the basement garage next to the lifts.';
    const after = 'Bicycles go in the covered racks behind the main entrance; the garage closed.';
    const update = (name: string, documents: object[]) =>
      api.post('/chroma/update').send({ collection: name, documents }).expect(200);
    const edited = `${collection}-edited`;
    await update(edited, [...CORPUS, { id, text: before }]);
    // Queried first, so whatever a query keeps of the old text is there when the edit lands.
    const first = await query({ ...question, collection: edited }).expect(200);
    expect(first.body.results.find((r: { id: string }) => r.id === `${id}#0`)?.text).toBe(before);
    await update(edited, [{ id, text: after }]);
    const answer = await query({ ...question, collection: edited }).expect(200);

    const fresh = `${collection}-fresh`;
    await update(fresh, [...CORPUS, { id, text: after }]);
    const expected = await query({ ...question, collection: fresh }).expect(200);
    expect(answer.body.results.find((r: { id: string }) => r.id === `${id}#0`)?.text).toBe(after);
    expect(answer.body).toEqual(expected.body);
  });

  it('lists collections with counts and embedder compatibility', async () => {
    const { body } = await api.get('/chroma/collections').expect(200);
    const entry = body.collections.find((c: { name: string }) => c.name === collection);
    expect(entry).toMatchObject({ count: 3, compatible: true });
    expect(entry.embedder).toMatchObject({ provider: 'local' });
  });

  describe('bad input gets a 4xx naming the problem and changes nothing', () => {
    const big = 'x'.repeat(25_000);
    const cases: [string, string, Record<string, unknown> | string, number, RegExp][] = [
      ['update', 'missing documents', {}, 400, /documents/],
      ['update', 'empty documents', { documents: [] }, 400, /documents/],
      ['update', 'unknown field', { documents: CORPUS, extra: 1 }, 400, /extra/],
      [
        'update',
        'unknown nested field',
        { documents: [{ ...CORPUS[0], oops: 1 }] },
        400,
        /documents\.0\.oops|oops/,
      ],
      ['update', 'id with #', { documents: [{ id: 'a#1', text: 'x' }] }, 400, /documents\[0\]\.id/],
      ['update', 'duplicate ids', { documents: [CORPUS[0], CORPUS[0]] }, 400, /documents\[1\]\.id/],
      ['update', 'wrong text type', { documents: [{ id: 'a', text: 42 }] }, 400, /text/],
      [
        'update',
        'blank text',
        { documents: [{ id: 'kb/laptops', text: '   ' }] },
        400,
        /documents\[0\]\.text/,
      ],
      [
        'update',
        'text over MAX_TEXT_BYTES',
        { documents: [{ id: 'kb/laptops', text: big }] },
        413,
        /documents\[0\]\.text/,
      ],
      [
        'update',
        'more than MAX_DOCUMENTS_PER_REQUEST',
        { documents: Array.from({ length: 21 }, (_, i) => ({ id: `d${i}`, text: 'x' })) },
        400,
        /documents: must contain at most 20/,
      ],
      [
        'update',
        'nested metadata',
        { documents: [{ id: 'kb/laptops', text: 'x', metadata: { a: { b: 1 } } }] },
        400,
        /documents\[0\]\.metadata\.a/,
      ],
      [
        'update',
        'reserved metadata key',
        { documents: [{ id: 'kb/laptops', text: 'x', metadata: { chunk_index: 3 } }] },
        400,
        /chunk_index/,
      ],
      [
        'update',
        '__proto__ metadata key',
        '{"collection":"__COLLECTION__","documents":[{"id":"kb/laptops","text":"x","metadata":{"__proto__":{"polluted":true}}}]}',
        400,
        /__proto__/,
      ],
      [
        'update',
        'bad collection name',
        { collection: '../etc', documents: CORPUS },
        400,
        /collection/,
      ],
      ['query', 'missing query', {}, 400, /query/],
      ['query', 'blank query', { query: '  ' }, 400, /query/],
      ['query', 'top_k 0', { query: 'x', top_k: 0 }, 400, /top_k/],
      ['query', 'top_k over MAX_TOP_K', { query: 'x', top_k: 101 }, 400, /top_k/],
      ['query', 'top_k not a number', { query: 'x', top_k: 'ten' }, 400, /top_k/],
      [
        'query',
        'unsupported operator',
        { query: 'x', filter: { a: { $regex: '.*' } } },
        400,
        /filter\.a\.\$regex/,
      ],
      ['query', 'filter not an object', { query: 'x', filter: 'pdf' }, 400, /filter/],
      [
        'query',
        'unknown collection',
        { query: 'x', collection: 'no-such-collection' },
        404,
        /no-such-collection/,
      ],
      ['update', 'invalid JSON', '{"collection":"__COLLECTION__","documents": [', 400, /JSON/i],
      [
        'update',
        'body over BODY_LIMIT_BYTES',
        { documents: [{ id: 'a', text: 'y'.repeat(250_000) }] },
        413,
        /BODY_LIMIT_BYTES/,
      ],
    ];

    it.each(cases)('%s: %s', async (endpoint, _name, body, status, message) => {
      const before = await snapshot();
      const payload =
        typeof body === 'string'
          ? body.replace('__COLLECTION__', collection)
          : { collection, ...body };
      const response = await api
        .post(`/chroma/${endpoint}`)
        .set('Content-Type', 'application/json')
        .send(payload);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(response.body).toMatchObject({ statusCode: status });
      expect(response.body.message).toMatch(message);
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(js|ts):\d+/);
      expect(await snapshot()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});

describe('queries of one instance after writes through another (shared Chroma)', () => {
  let reader: TestApp;
  let writer: TestApp;
  const collection = `docs-shared-${Date.now()}`;
  const send = (app: TestApp, path: string, body: object) =>
    request(app.app.getHttpServer() as App)
      .post(path)
      // The writer's token for both: passport keeps its strategies in one registry per process,
      // so the app booted last verifies the tokens of both (separate processes in production).
      .set('Authorization', writer.bearer())
      .send(body)
      .expect(200);
  const ask = (app: TestApp, name: string) =>
    send(app, '/chroma/query', { collection: name, query: 'Where do bicycles go?', top_k: 4 });

  beforeAll(async () => {
    const env = { ...LIMITS, CHROMA_HOST: sharedChromaUrl() };
    reader = await createTestApp(env);
    writer = await createTestApp(env);
  });
  afterAll(() => Promise.all([reader?.close(), writer?.close()]));

  it('answers what the other instance wrote, metadata included, as a fresh collection would', async () => {
    const text = 'Bicycles are parked in the covered racks behind the main entrance.';
    const parking = (team: string) => ({ id: 'kb/parking', text, metadata: { team } });
    await send(writer, '/chroma/update', {
      collection,
      documents: [...CORPUS, parking('facilities')],
    });
    // The reader keeps what it can of these candidates before the other instance writes.
    const before = await ask(reader, collection);
    expect(before.body.results[0]).toMatchObject({
      id: 'kb/parking#0',
      metadata: { team: 'facilities' },
    });
    // Same text (so the same chunk hash), other metadata; and one document less.
    await send(writer, '/chroma/update', { collection, documents: [parking('security')] });
    await request(writer.app.getHttpServer() as App)
      .delete(`/chroma/documents/${encodeURIComponent('kb/holidays')}`)
      .query({ collection })
      .set('Authorization', writer.bearer())
      .expect(200);
    const after = await ask(reader, collection);

    const fresh = `${collection}-fresh`;
    await send(writer, '/chroma/update', {
      collection: fresh,
      documents: [CORPUS[0], CORPUS[2], parking('security')],
    });
    const expected = await ask(reader, fresh);
    expect(after.body.results[0].metadata).toMatchObject({ team: 'security' });
    expect(after.body).toEqual(expected.body);
  });
});
