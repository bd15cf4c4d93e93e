import fc from 'fast-check';
import { createHash } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { VectorStore } from '../../src/vector-store/vector-store.port';
import { INGEST_TEST_ENV, pollJob, relativeName } from '../support/ingest-api';
import { createTestApp, sharedChromaUrl, type TestApp } from '../support/test-app';
import { allRecords } from './store-invariants';

const SEED = 20_261_127;
const RUNS = 200;
const SEEDED = `hostile-${Date.now().toString(36)}`;
/** Counts printed at the end and copied into RELIABILITY.md. */
const tried: Record<string, number> = {};
afterAll(() => console.log(`hostile inputs tried: ${JSON.stringify(tried)}`));

// Keys that poison prototypes when a parser or a merge trusts them.
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$in',
  '$nin',
  '$and',
  '$or',
  '$regex',
  '$contains',
  '$where',
  '$not',
  '$exists',
  '$',
];
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFFFF',
    '\uD800',
    '\u202E',
    'a\u0301',
    '../../etc/passwd',
    SEEDED,
    'rag-system-jobs',
  ),
  fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

/** A JSON text, written by hand so that `__proto__` survives as an own key. */
type Json = string;
const obj = (entries: [string, Json][]): Json =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
const hostileKey = fc.oneof(text, fc.constantFrom(...PROTO_KEYS, ...OPERATORS));

const leaf: fc.Arbitrary<Json> = fc.oneof(
  text.map((s) => JSON.stringify(s)),
  fc.constantFrom(
    'null',
    'true',
    '-0',
    '1e308',
    '-1e308',
    '9007199254740993',
    '0.5',
    '-1',
    '[]',
    '{}',
  ),
  fc.integer().map(String),
);
const value: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map(obj),
  ),
})).value;
const deep = fc
  .tuple(fc.integer({ min: 10, max: 5000 }), fc.constantFrom('[', '{"a":', '{"$and":['))
  .map(([depth, open]) => {
    const close = open === '[' ? ']' : open === '{"a":' ? '}' : ']}';
    return `${open.repeat(depth)}1${close.repeat(depth)}`;
  });
/** A Chroma filter with operators it rejects, wrong arities and wrong operand types. */
const filter: fc.Arbitrary<Json> = fc.oneof(
  value,
  deep,
  fc
    .tuple(
      fc.constantFrom('file_type', 'doctype', 'team', '$and', '$or', '__proto__'),
      fc.constantFrom(...OPERATORS),
      value,
    )
    .map(([field, op, operand]) => obj([[field, obj([[op, operand]])]])),
);

/** Optionally one field of a body: valid, hostile, or absent. */
const field = (name: string, valid: Json, hostile: fc.Arbitrary<Json>) =>
  fc.oneof(
    fc.constant<[string, Json][]>([]),
    fc.constant<[string, Json][]>([[name, valid]]),
    hostile.map((v): [string, Json][] => [[name, v]]),
  );
/** Near-valid bodies: each field valid, hostile or missing, plus stray keys. */
const body = (fields: [string, Json, fc.Arbitrary<Json>][]) =>
  fc.oneof(
    value,
    deep,
    fc
      .tuple(
        fc.tuple(...fields.map(([n, v, h]) => field(n, v, h))),
        fc.array(fc.tuple(hostileKey, value), { maxLength: 2 }),
      )
      .map(([parts, extra]) => obj([...parts.flat(), ...extra])),
  );

const collection: [string, Json, fc.Arbitrary<Json>] = [
  'collection',
  JSON.stringify(SEEDED),
  value,
];
const topK = fc.oneof(value, fc.constantFrom('0', '101', '1e9', '2.5', '"5"', '-0', 'NaN'));
const documents = fc.oneof(
  value,
  fc
    .array(
      body([
        ['id', '"doc"', value],
        ['text', '"Some text."', value],
        [
          'metadata',
          '{"team":"a"}',
          fc.oneof(value, fc.array(fc.tuple(hostileKey, leaf), { maxLength: 40 }).map(obj)),
        ],
      ]),
      { maxLength: 3 },
    )
    .map((items) => `[${items.join(',')}]`),
);

const ENDPOINTS: { path: string; writes: boolean; body: fc.Arbitrary<Json> }[] = [
  {
    path: '/chroma/query',
    writes: false,
    body: body([
      ['query', '"laptops"', value],
      collection,
      ['top_k', '5', topK],
      ['filter', '{"team":"a"}', filter],
    ]),
  },
  {
    path: '/chroma/update',
    writes: true,
    body: body([collection, ['documents', '[]', documents]]),
  },
  {
    path: '/fast_chat',
    writes: false,
    body: body([
      ['question', '"who?"', value],
      collection,
      ['top_k', '5', topK],
      ['filter', '{}', filter],
      ['stream', 'false', value],
      ['history', '[{"role":"user","content":"hi"}]', value],
    ]),
  },
  { path: '/ingest/jobs', writes: true, body: body([collection, ['documents', '[]', documents]]) },
  { path: '/admin/reindex', writes: true, body: body([collection, ['force', 'true', value]]) },
  { path: '/admin/reindex/rollback', writes: true, body: body([collection]) },
];

describe('hostile input never causes a 5xx and never changes the store when refused', () => {
  let app: TestApp;
  let http: App;
  let store: VectorStore;

  /** Chunk count and a hash of every chunk of the seeded collection. */
  const snapshot = async () => {
    const records = await allRecords(store, SEEDED);
    // Chroma returns metadata keys in no fixed order.
    const sorted = records
      .map((r) => JSON.stringify([r.id, r.text, Object.entries(r.metadata).sort()]))
      .sort();
    return {
      count: records.length,
      hash: createHash('sha256').update(sorted.join('\n')).digest('hex'),
    };
  };

  const expectClean = (res: request.Response, label: string) => {
    if (res.status >= 500) throw new Error(`${label} → ${res.status} ${res.text.slice(0, 300)}`);
    if (res.status >= 400) {
      expect(res.body).toMatchObject({
        statusCode: res.status,
        error: expect.any(String),
        message: expect.any(String),
      });
    }
  };

  beforeAll(async () => {
    app = await createTestApp({
      CHROMA_HOST: sharedChromaUrl(),
      ...INGEST_TEST_ENV,
      THROTTLE_LIMIT: '100000',
      INGEST_MAX_FILE_BYTES: '2000',
      INGEST_MAX_JOBS_PER_USER: '1000',
      BODY_LIMIT_BYTES: '1000000',
    });
    http = app.app.getHttpServer() as App;
    store = app.app.get(VectorStore);
    await request(http)
      .post('/chroma/update')
      .set('Authorization', app.bearer())
      .send({
        collection: SEEDED,
        documents: [{ id: 'seed', text: 'Seeded text about laptops.', metadata: { team: 'a' } }],
      })
      .expect(200);
  });
  afterAll(() => app?.close());

  it.each(ENDPOINTS)(
    '$path',
    async ({ path, writes, body: bodies }) => {
      tried[path] = 0;
      await fc.assert(
        fc.asyncProperty(bodies, async (raw) => {
          tried[path]++;
          const before = writes ? await snapshot() : undefined;
          const res = await request(http)
            .post(path)
            .set('Authorization', app.bearer())
            .set('Content-Type', 'application/json')
            .set('Accept', 'application/json')
            .send(raw);
          expectClean(res, `${path} ${raw.slice(0, 200)}`);
          if (before && res.status >= 400) expect(await snapshot()).toEqual(before);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    120_000,
  );

  // Found by the property above (seeded run 24): class-transformer overflowed its stack → 500.
  it.each(ENDPOINTS)('answers 400 to a $path body nested 1,000 levels deep', async ({ path }) => {
    const res = await request(http)
      .post(path)
      .set('Authorization', app.bearer())
      .set('Content-Type', 'application/json')
      .send(`${'{"$and":['.repeat(1000)}1${']}'.repeat(1000)}`)
      .expect(400);
    expect(res.body.message).toMatch(/nested deeper than/);
  });

  it('document routes take any id and collection', async () => {
    tried['/chroma/documents/:id'] = 0;
    // Raw percent-encoded bytes: invalid UTF-8, encoded slashes and NULs included.
    const percent = (bytes: Uint8Array) =>
      [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const id = fc.oneof(
      text.map((s) => percent(Buffer.from(s.slice(0, 2000)))),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map(percent),
      fc.constantFrom('%ZZ', '%', '%2e%2e%2f%2e%2e%2fetc', '..%00', '%C0%AE%C0%AE'),
    );
    await fc.assert(
      fc.asyncProperty(id, text, fc.constantFrom('get', 'delete'), async (path, name, method) => {
        tried['/chroma/documents/:id']++;
        const before = await snapshot();
        const res = await request(http)
          [method](`/chroma/documents/${path}`)
          .query({ collection: name.slice(0, 2000) })
          .set('Authorization', app.bearer());
        expectClean(res, `${method} ${path.slice(0, 100)}`);
        if (res.status >= 400) expect(await snapshot()).toEqual(before);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('never stores a file outside its relative folder, whatever its name', async () => {
    const segment = fc.constantFrom(
      '..',
      '.',
      '',
      'a',
      '%2e%2e',
      '..\\..',
      'C:',
      '\u0000',
      '\u202E',
      '~',
      'b.md',
    );
    const names = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `${parts.join('/')}.md`),
      fc.constantFrom(
        '/etc/passwd.md',
        '../../x.md',
        'a/../../b.md',
        '\\\\server\\share.md',
        'C:\\x.md',
        './.././x.md',
      ),
    );
    const target = `${SEEDED}-files`;
    tried['/ingest/jobs (file names)'] = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(names, { minLength: 1, maxLength: 3 }), async (files) => {
        tried['/ingest/jobs (file names)']++;
        const req = request(http)
          .post('/ingest/jobs')
          .set('Authorization', app.bearer())
          .field('collection', target);
        for (const name of files)
          req.attach('files', Buffer.from(`File ${name}.`), relativeName(name));
        const res = await req;
        expectClean(res, files.join(' | '));
        if (res.status === 202) await pollJob(http, app.bearer(), res.body.id);
      }),
      { seed: SEED, numRuns: 60 },
    );
    const stored = await allRecords(store, target).catch(() => []);
    const ids = stored.map((r) => String(r.metadata.document_id));
    expect(
      ids.filter(
        (id) => id.startsWith('/') || id.split(/[/\\]/).includes('..') || id.includes('\u0000'),
      ),
    ).toEqual([]);
  }, 120_000);

  it('answers 413 for an oversized upload or body and stores nothing', async () => {
    const before = await snapshot();
    const big = await request(http)
      .post('/ingest/jobs')
      .set('Authorization', app.bearer())
      .field('collection', SEEDED)
      .attach('files', Buffer.alloc(2001, 'a'), 'big.txt');
    expect(big.status).toBe(413);
    const huge = await request(http)
      .post('/chroma/update')
      .set('Authorization', app.bearer())
      .send({ collection: SEEDED, documents: [{ id: 'huge', text: 'x'.repeat(1_100_000) }] });
    expect(huge.status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });
});
