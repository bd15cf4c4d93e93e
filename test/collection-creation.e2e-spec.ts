import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const DOCUMENT = { id: 'kb/laptops', text: 'Every new engineer receives a laptop on day one.' };

/** Creating a collection by writing to it: on by default, refused on request or by config. */
describe.each([
  ['by default', {}, true],
  ['with COLLECTIONS_CREATE_ON_WRITE=false', { COLLECTIONS_CREATE_ON_WRITE: 'false' }, false],
])('writing to a collection that does not exist %s', (_case, env, createsByDefault) => {
  let testApp: TestApp;
  let http: App;
  let admin: string;
  const suffix = `${createsByDefault ? 'on' : 'off'}-${Date.now()}`;
  const update = (body: object) =>
    request(http).post('/chroma/update').set('Authorization', admin).send(body);
  const exists = async (name: string) => {
    const listed = await request(http).get('/chroma/collections').set('Authorization', admin);
    expect(listed.status).toBe(200);
    return (listed.body as { collections: { name: string }[] }).collections.some(
      (collection) => collection.name === name,
    );
  };

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl(), ...env });
    http = testApp.app.getHttpServer() as App;
    admin = testApp.bearer(['--scope', 'rag/admin']);
  });
  afterAll(() => testApp?.close());

  it('answers 404 naming it when the request says create_collection: false', async () => {
    const name = `typo-${suffix}`;
    const response = await update({
      collection: name,
      create_collection: false,
      documents: [DOCUMENT],
    }).expect(404);
    expect(response.body.message).toBe(
      `collection '${name}' was not found; send "create_collection": true to create it with this write`,
    );
    expect(await exists(name)).toBe(false);
  });

  it(`${createsByDefault ? 'creates' : 'refuses'} it when the request does not say`, async () => {
    const name = `unsaid-${suffix}`;
    await update({ collection: name, documents: [DOCUMENT] }).expect(createsByDefault ? 200 : 404);
    expect(await exists(name)).toBe(createsByDefault);
  });

  it('creates it with create_collection: true, then updates it with create_collection: false', async () => {
    const name = `wanted-${suffix}`;
    await update({ collection: name, create_collection: true, documents: [DOCUMENT] }).expect(200);
    expect(await exists(name)).toBe(true);
    const again = await update({
      collection: name,
      create_collection: false,
      documents: [{ ...DOCUMENT, text: `${DOCUMENT.text} Updated.` }],
    }).expect(200);
    expect(again.body.results).toEqual([{ id: 'kb/laptops', chunks: 1, status: 'updated' }]);
  });
});
