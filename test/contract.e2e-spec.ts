import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIObject } from '@nestjs/swagger';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  OPENAPI_PATH,
  renderSchemaTypes,
  SCHEMA_TYPES_PATH,
  serializeOpenApi,
} from '../scripts/openapi';
import { apiClient, listenOnLoopback } from './support/openapi-server';
import { OpenApiSchemas, UNDOCUMENTED_PATHS } from './support/response-validator';
import { createTestApp, sharedChromaUrl, type TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const COLLECTION = `contract-${Date.now().toString(36)}`;
const STALE = 'is stale: run `npm run openapi` and commit the result';

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

const operationsOf = (document: OpenAPIObject) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]) => ({
      key: `${method} ${path}`,
      op,
    })),
  );

/** Every `example` in the document with the JSON pointer of the schema it must satisfy. */
function examplesOf(node: unknown, tokens: string[] = []): { at: string[]; example: unknown }[] {
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own =
    'example' in record
      ? // Parameters and media types carry their example beside their schema.
        [{ at: 'schema' in record ? [...tokens, 'schema'] : tokens, example: record.example }]
      : [];
  return [
    ...own,
    ...Object.entries(record)
      .filter(([key]) => key !== 'example')
      .flatMap(([key, value]) => examplesOf(value, [...tokens, key])),
  ];
}

/** Polls a background run's state while it is one of `pending` (for up to 10 s). */
async function settledState<S>(first: S, read: () => Promise<S>, pending: S[]): Promise<S> {
  let state = first;
  for (let polls = 0; pending.includes(state) && polls < 200; polls += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = await read();
  }
  return state;
}

/** The TypeScript blocks of the client guide, which users copy as they are. */
const guideTypeScript = (): string =>
  [...readFileSync(join(ROOT, 'docs', 'client.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .join('\n');

/** Calls every protected operation with its declared scope (not refused) and the one below (403). */
async function probeScopes(app: TestApp, url: string, document: OpenAPIObject): Promise<void> {
  const scopes = ['rag/read', 'rag/write', 'rag/admin'];
  const protectedOps = operationsOf(document).filter(({ op }) => op.security);
  expect(protectedOps.length).toBeGreaterThanOrEqual(10);
  for (const { key, op } of protectedOps) {
    const [requirement, ...others] = op.security as Record<string, string[]>[];
    expect([key, others, Object.keys(requirement)]).toEqual([key, [], ['bearer']]);
    const [scope] = requirement.bearer;
    const [method, path] = key.split(' ');
    // A collection that does not exist: nothing is written, whatever the route.
    const absent = JSON.stringify({ collection: `${COLLECTION}-absent` });
    const call = (token: string) =>
      fetch(`${url}${path.replace(/\{[^}]+\}/g, 'x')}?collection=${COLLECTION}-absent`, {
        method: method.toUpperCase(),
        headers: { authorization: token, 'content-type': 'application/json' },
        body: method === 'post' ? absent : undefined,
      });
    // The declared scope is enough to get past authorization (whatever the input's fate)...
    const allowed = await call(app.bearer(['--scope', scope]));
    expect([key, scope, allowed.status]).not.toEqual([key, scope, 403]);
    expect([key, allowed.status]).not.toEqual([key, 401]);
    // ...and the scope below it is not.
    const below = scopes[scopes.indexOf(scope) - 1];
    if (below) {
      const denied = await call(app.bearer(['--scope', below]));
      expect([key, below, denied.status]).toEqual([key, below, 403]);
    }
    const documented = (op.responses[String(allowed.status)] as { headers?: object })?.headers;
    for (const name of Object.keys(documented ?? {}).filter((h) => h.startsWith('X-RateLimit'))) {
      expect([key, name, allowed.headers.has(name)]).toEqual([key, name, true]);
    }
  }
}

describe('the OpenAPI contract', () => {
  let testApp: TestApp;
  let baseUrl: string;
  let served: OpenAPIObject;

  beforeAll(async () => {
    testApp = await createTestApp({ CHROMA_HOST: sharedChromaUrl() });
    baseUrl = await listenOnLoopback(testApp);
    served = (await (await fetch(`${baseUrl}/docs-json`)).json()) as OpenAPIObject;
  });

  afterAll(() => testApp?.close());

  it('is committed as openapi.json exactly as the server generates it, with its client types', () => {
    const current = (ok: boolean, file: string) => (ok ? 'current' : `${file} ${STALE}`);
    const committed = readFileSync(OPENAPI_PATH, 'utf8');
    expect(current(committed === serializeOpenApi(served), 'openapi.json')).toBe('current');
    const types = readFileSync(SCHEMA_TYPES_PATH, 'utf8');
    expect(current(types === renderSchemaTypes(OPENAPI_PATH), SCHEMA_TYPES_PATH)).toBe('current');
  });

  it('is a valid OpenAPI document', async () => {
    const result = await validate(structuredClone(served) as never);
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
  });

  it('documents every route the server serves, each with an id, a tag and its error statuses', () => {
    const express = testApp.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const servedRoutes = express.router.stack.flatMap(({ route }) =>
      // Middleware mounted on every path shows up as a `{/*splat}` route.
      route && !route.path.includes('*') && !UNDOCUMENTED_PATHS.some((re) => re.test(route.path))
        ? Object.keys(route.methods).map(
            (method) => `${method} ${route.path.replace(/:(\w+)/g, '{$1}')}`,
          )
        : [],
    );
    const operations = operationsOf(served);
    expect(operations.map((o) => o.key).sort()).toEqual([...new Set(servedRoutes)].sort());

    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, op } of operations) {
      const statuses = Object.keys(op.responses);
      const expected = ['500'];
      if (op.security) expected.push('401', '403', '429');
      if (op.requestBody || op.parameters?.some((p) => p.in !== 'path')) expected.push('400');
      if (op.requestBody) expected.push('413', '415');
      expect([key, op.tags?.length, statuses]).toEqual([key, 1, expect.arrayContaining(expected)]);
      expect([key, statuses.some((status) => /^2\d\d$/.test(status))]).toEqual([key, true]);
      for (const [status, response] of Object.entries(op.responses)) {
        const media = Object.values(response.content ?? {});
        // Only a body-less success may go without a schema.
        if (status !== '204') expect([key, status, media.length > 0]).toEqual([key, status, true]);
        for (const { schema } of media)
          expect([key, status, schema]).toEqual([key, status, expect.any(Object)]);
      }
    }
    expect(served.components?.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: expect.stringContaining('RFC8725'),
    });
  });

  it('gives examples that are valid against their schemas', () => {
    const schemas = new OpenApiSchemas(served);
    const examples = examplesOf(served);
    expect(examples.length).toBeGreaterThan(50);
    const invalid = examples.flatMap(({ at, example }) => {
      const check = schemas.at(at);
      return check(example) ? [] : [`${at.join('/')}: ${schemas.errorsOf(check)}`];
    });
    expect(invalid).toEqual([]);
  });

  it('shows one example per error status, of that status, in the error schema', () => {
    const schemas = new OpenApiSchemas(served);
    const check = schemas.at(['components', 'schemas', 'ApiErrorDto']);
    const messages = new Map<string, Set<string>>();
    for (const { key, op } of operationsOf(served)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const media = response.content?.['application/json'] as
          { schema?: { $ref?: string }; example?: unknown } | undefined;
        // Error answers; the health probe's 503 has a body of its own (terminus's report).
        if (!/^[45]\d\d$/.test(status) || !media?.schema?.$ref?.endsWith('/ApiErrorDto')) continue;
        const { example } = media;
        expect([key, status, check(example) ? 'valid' : schemas.errorsOf(check)]).toEqual([
          key,
          status,
          'valid',
        ]);
        const { statusCode, message } = example as { statusCode: number; message: string };
        expect([key, status, statusCode]).toEqual([key, status, Number(status)]);
        messages.set(status, (messages.get(status) ?? new Set()).add(message));
      }
    }
    // No message serves two statuses: each status says what really happens with it.
    const statuses = [...messages.keys()];
    expect(statuses).toEqual(
      expect.arrayContaining(['400', '401', '403', '404', '413', '415', '429']),
    );
    for (const status of statuses) {
      for (const other of statuses.filter((s) => s !== status)) {
        const shared = [...messages.get(status)!].filter((m) => messages.get(other)!.has(m));
        expect([status, other, shared]).toEqual([status, other, []]);
      }
    }
    // The 403 example names the scope the operation requires.
    for (const { key, op } of operationsOf(served).filter(({ op }) => op.security)) {
      const [scope] = (op.security as Record<string, string[]>[])[0].bearer;
      const forbidden = op.responses['403'].content?.['application/json'] as {
        example: { message: string };
      };
      expect([key, forbidden.example.message]).toEqual([key, expect.stringContaining(scope)]);
    }
  });

  it('describes the ingest upload as multipart with binary file items', () => {
    const body = served.paths['/ingest/jobs'].post?.requestBody as {
      content: Record<string, { schema: { properties?: Record<string, unknown> } }>;
    };
    expect(Object.keys(body.content)).toEqual(['multipart/form-data', 'application/json']);
    expect(body.content['multipart/form-data'].schema.properties?.files).toMatchObject({
      type: 'array',
      items: { type: 'string', format: 'binary' },
    });
  });

  it('generates a TypeScript client that compiles the guide and rejects wrong calls', () => {
    // Under node_modules, so the client resolves openapi-fetch like a user project does.
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'contract-client-'));
    try {
      writeFileSync(join(dir, 'rag-api.d.ts'), renderSchemaTypes(OPENAPI_PATH));
      const client = join(dir, 'client.ts');
      writeFileSync(
        client,
        `${guideTypeScript()}
// The types are the API's: a wrong body, path or answer field does not compile.
// @ts-expect-error top_k is a number
void rag.POST('/chroma/query', { body: { query: 'x', top_k: 'three' } });
// @ts-expect-error no such route
void rag.GET('/chroma/nowhere');
void rag.GET('/chroma/collections').then(({ data }) => {
  // @ts-expect-error a collection has no such field
  return data?.collections[0].size;
});
`,
      );
      const program = ts.createProgram([client], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('driven through the typed client', () => {
    const admin = () => apiClient(baseUrl, testApp.bearer());

    it('upserts, reads, lists and deletes documents', async () => {
      const rag = admin();
      const upserted = await rag.POST('/chroma/update', {
        body: {
          collection: COLLECTION,
          documents: [
            {
              id: 'kb/laptops',
              text: 'Every new engineer receives a laptop on day one.',
              metadata: { file_type: 'application/pdf', team: 'it' },
            },
            { id: 'kb/scratch', text: 'A note that is deleted again.' },
          ],
        },
      });
      expect(upserted.data?.results.map((r) => r.status)).toEqual(['created', 'created']);
      const read = await rag.GET('/chroma/documents/{id}', {
        params: { path: { id: 'kb/laptops' }, query: { collection: COLLECTION } },
      });
      expect(read.data?.metadata.file_type).toBe('pdf');
      const deleted = await rag.DELETE('/chroma/documents/{id}', {
        params: { path: { id: 'kb/scratch' }, query: { collection: COLLECTION } },
      });
      expect(deleted.data?.deleted_chunks).toBe(1);
      const listed = await rag.GET('/chroma/collections');
      expect(listed.data?.collections.find((c) => c.name === COLLECTION)?.count).toBe(1);
    });

    it.each([
      ['exact', { file_type: 'pdf' }],
      ['variants', { doctype: 'PDF' }],
      ['unfiltered', { team: 'nobody' }],
    ])('queries with the %s filter tier', async (tier, filter) => {
      const { data } = await admin().POST('/chroma/query', {
        body: { query: 'when does a new hire get a laptop?', collection: COLLECTION, filter },
      });
      expect(data?.tier).toBe(tier);
      expect(data?.results[0].document_id).toBe('kb/laptops');
    });

    it('answers /fast_chat with cited sources', async () => {
      const { data } = await admin().POST('/fast_chat', {
        body: { question: 'When do new engineers get a laptop?', collection: COLLECTION },
      });
      // The operation also produces an event stream (a string); without `stream` it answers JSON.
      if (typeof data !== 'object') throw new Error(`expected a JSON answer, got ${data}`);
      expect(data.answer).toContain('[1]');
      expect(data.sources[0]).toMatchObject({ n: 1, document_id: 'kb/laptops' });
    });

    it('answers errors with the JSON error shape', async () => {
      const invalid = await admin().POST('/chroma/query', { body: { query: 'x', top_k: 1000 } });
      expect([invalid.response.status, invalid.error?.message]).toEqual([
        400,
        'top_k: must not be greater than 100',
      ]);
      const anonymous = await apiClient(baseUrl).GET('/chroma/collections');
      expect(anonymous.error).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'missing bearer token',
      });
      const missing = await admin().GET('/chroma/documents/{id}', {
        params: { path: { id: 'kb/nothing' }, query: { collection: COLLECTION } },
      });
      expect(missing.error).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('re-indexes a collection and follows the run', async () => {
      const rag = admin();
      const started = await rag.POST('/admin/reindex', {
        body: { collection: COLLECTION, force: true },
      });
      expect(started.response.status).toBe(202);
      const runId = started.data?.run_id ?? '';
      const state = await settledState(
        started.data?.state,
        async () =>
          (await rag.GET('/admin/reindex/{id}', { params: { path: { id: runId } } })).data?.state,
        ['building'],
      );
      expect(state).toBe('succeeded');
      const rolledBack = await rag.POST('/admin/reindex/rollback', {
        body: { collection: COLLECTION },
      });
      expect(rolledBack.data?.active.generation).toBe(0);
    });

    it('ingests documents as a job and follows it', async () => {
      const rag = admin();
      const queued = await rag.POST('/ingest/jobs', {
        body: {
          collection: COLLECTION,
          documents: [{ id: 'kb/vpn', text: 'Use the VPN abroad.' }],
        },
      });
      expect(queued.response.status).toBe(202);
      const id = queued.data?.id ?? '';
      const state = await settledState(
        queued.data?.state,
        async () => (await rag.GET('/ingest/jobs/{id}', { params: { path: { id } } })).data?.state,
        ['queued', 'running'],
      );
      expect(state).toBe('succeeded');
      const cancelled = await rag.DELETE('/ingest/jobs/{id}', { params: { path: { id } } });
      expect(cancelled.error?.statusCode).toBe(409);
      const listed = await rag.GET('/ingest/jobs', { params: { query: { limit: 1 } } });
      expect(listed.data?.jobs.map((job) => job.id)).toEqual([id]);
    });

    it('reports readiness and liveness without a token', async () => {
      const anonymous = apiClient(baseUrl);
      expect((await anonymous.GET('/health')).response.status).toBe(200);
      expect((await anonymous.GET('/health/live')).data).toEqual({ status: 'ok' });
    });

    it('has exercised every documented operation', () => {
      // A new route joins the contract with one more flow above; the validator already checks it.
      const exercised = new Set(
        [...testApp.responses.checked.keys()].map((key) => key.split(' ').slice(0, 2).join(' ')),
      );
      const missing = operationsOf(served)
        .map(({ key }) => key)
        .filter((key) => !exercised.has(key));
      expect(missing).toEqual([]);
    });
  });

  // Last, after the flows: its probes of every operation must not count as a flow exercising it.
  it('lists on each protected operation the scope the API requires, and the rate-limit headers it sends', async () => {
    await probeScopes(testApp, baseUrl, served);
  });
});
