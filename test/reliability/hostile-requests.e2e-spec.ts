import request from 'supertest';
import type { App } from 'supertest/types';
import type { VectorStore } from '../../src/vector-store/vector-store.port';
import { pollJob, startIngestApp } from '../support/ingest-api';
import type { TestApp } from '../support/test-app';
import { allRecords } from './store-invariants';

const SUFFIX = Date.now().toString(36);
const LONE = '\ud800';

describe('hostile requests (issue 17, findings 8, 9, 12)', () => {
  let app: TestApp;
  let http: App;
  let admin: string;
  let store: VectorStore;

  beforeAll(async () => {
    ({ app, http, admin, store } = await startIngestApp());
  });
  afterAll(() => app?.close());

  describe('ill-formed Unicode (finding 8)', () => {
    const collection = `unicode-${SUFFIX}`;
    const doc = (extra: Record<string, unknown> = {}) => ({ id: 'doc', text: 'x', ...extra });
    const cases: [string, string, Record<string, unknown>][] = [
      ['documents[0].id', '/chroma/update', { collection, documents: [doc({ id: `ls${LONE}` })] }],
      [
        'documents[0].text',
        '/chroma/update',
        { collection, documents: [doc({ text: `a${LONE}` })] },
      ],
      [
        'documents[0].metadata',
        '/chroma/update',
        { collection, documents: [doc({ metadata: { [`k${LONE}`]: 'v' } })] },
      ],
      [
        'documents[0].metadata.lang',
        '/chroma/update',
        { collection, documents: [doc({ metadata: { lang: `e${LONE}n` } })] },
      ],
      ['collection', '/chroma/update', { collection: `c${LONE}`, documents: [doc()] }],
      ['query', '/chroma/query', { collection, query: `why${LONE}` }],
      ['filter.lang', '/chroma/query', { collection, query: 'why', filter: { lang: LONE } }],
      [
        'filter.$or[1].lang.$in[0]',
        '/chroma/query',
        { collection, query: 'why', filter: { $or: [{ a: 1 }, { lang: { $in: [LONE] } }] } },
      ],
      ['filter', '/chroma/query', { collection, query: 'why', filter: { [`k${LONE}`]: 1 } }],
      ['question', '/fast_chat', { collection, question: `why${LONE}?` }],
      [
        'history[0].content',
        '/fast_chat',
        { collection, question: 'why?', history: [{ role: 'user', content: `hi${LONE}` }] },
      ],
      ['documents[0].text', '/ingest/jobs', { collection, documents: [doc({ text: LONE })] }],
    ];

    it('answers 400 naming each field and leaves the store unchanged', async () => {
      await request(http)
        .post('/chroma/update')
        .set('Authorization', admin)
        .send({
          collection,
          documents: [doc({ text: 'Kept as it was.', metadata: { lang: 'en' } })],
        })
        .expect(200);
      const before = await allRecords(store, collection);
      for (const [field, path, body] of cases) {
        const res = await request(http).post(path).set('Authorization', admin).send(body);
        expect([path, field, res.status]).toEqual([path, field, 400]);
        const message = JSON.stringify(res.body);
        expect(message).toContain(`${field}: `);
        expect(message).toContain('well-formed Unicode');
      }
      expect(await allRecords(store, collection)).toEqual(before);
    });

    it('still accepts surrogate pairs', async () => {
      await request(http)
        .post('/chroma/query')
        .set('Authorization', admin)
        .send({ collection, query: 'emoji 😀 fine', filter: { lang: '😀' } })
        .expect(200);
    });
  });

  describe('job access after a grant is withdrawn (finding 9)', () => {
    it('answers 404, exactly like a missing job, to the same sub without the collection', async () => {
      const collection = `grants-${SUFFIX}`;
      const granted = app.bearer([
        '--sub',
        'grace',
        '--scope',
        'rag/write',
        '--collections',
        collection,
      ]);
      const withdrawn = app.bearer([
        '--sub',
        'grace',
        '--scope',
        'rag/write',
        '--collections',
        `other-${SUFFIX}`,
      ]);
      const { body } = await request(http)
        .post('/ingest/jobs')
        .set('Authorization', granted)
        .send({ collection, documents: [{ id: 'granted', text: 'Only for granted readers.' }] })
        .expect(202);
      const id = (body as { id: string }).id;
      await pollJob(http, granted, id);

      const missing = '00000000-0000-4000-8000-000000000000';
      for (const method of ['get', 'delete'] as const) {
        const denied = await request(http)
          [method](`/ingest/jobs/${id}`)
          .set('Authorization', withdrawn);
        const absent = await request(http)
          [method](`/ingest/jobs/${missing}`)
          .set('Authorization', withdrawn);
        expect(denied.status).toBe(404);
        expect(JSON.stringify(denied.body).replaceAll(id, missing)).toBe(
          JSON.stringify(absent.body),
        );
      }
      await request(http).get(`/ingest/jobs/${id}`).set('Authorization', granted).expect(200);
    });
  });

  describe('filter values (finding 12)', () => {
    const collection = `values-${SUFFIX}`;
    const query = (filter: unknown) =>
      request(http)
        .post('/chroma/query')
        .set('Authorization', admin)
        .send({ collection, query: 'quarterly report', filter });

    beforeAll(async () => {
      await request(http)
        .post('/chroma/update')
        .set('Authorization', admin)
        .send({
          collection,
          documents: [
            { id: 'report', text: 'The quarterly report.', metadata: { file_type: 'pdf' } },
          ],
        })
        .expect(200);
    });

    it('refuses a filter holding more than FILTER_MAX_VALUES values with a 400 naming filter', async () => {
      // The attack: 31 file_type $in conditions of 100 values each, every one in bounds.
      const values = Array.from({ length: 100 }, (_, i) => `type${i}`);
      const filter = { $and: Array.from({ length: 31 }, () => ({ file_type: { $in: values } })) };
      const res = await query(filter).expect(400);
      expect(JSON.stringify(res.body)).toContain(
        'filter: holds more than 200 values in all (FILTER_MAX_VALUES)',
      );
    });

    it('widens a small filter, and skips the variants tier when widening would exceed the bound', async () => {
      const small = await query({ doctype: 'PDF' }).expect(200);
      expect((small.body as { tier: string }).tier).toBe('variants');
      // 100 values are in bounds, but their spellings on both keys are not.
      const many = ['PDF', ...Array.from({ length: 99 }, (_, i) => `type${i}`)];
      const large = await query({ doctype: { $in: many } }).expect(200);
      expect((large.body as { tier: string }).tier).toBe('unfiltered');
    });
  });
});
