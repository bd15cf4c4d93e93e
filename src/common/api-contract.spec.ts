import type { OpenAPIObject } from '@nestjs/swagger';
import { parseEnv } from '../config/env';
import { limitedBy, resolveContract } from './api-contract';

const env = parseEnv({ MAX_QUERY_CHARS: '300', MAX_DOCUMENTS_PER_REQUEST: '7' });

const documentWith = (schema: object, operations: Record<string, object> = {}): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: { '/x': operations },
  components: { schemas: { Body: schema } },
});

describe('resolveContract', () => {
  it('turns each setting marker into the bound of its schema type, with the configured value', () => {
    const document = resolveContract(
      documentWith({
        type: 'object',
        properties: {
          query: { type: 'string', ...limitedBy('MAX_QUERY_CHARS') },
          documents: { type: 'array', items: {}, ...limitedBy('MAX_DOCUMENTS_PER_REQUEST') },
          metadata: { type: 'object', ...limitedBy('MAX_METADATA_KEYS') },
          top_k: { type: 'number', ...limitedBy('MAX_TOP_K') },
        },
      }),
      env,
    );
    expect(document.components?.schemas?.Body).toEqual({
      type: 'object',
      properties: {
        query: { type: 'string', maxLength: 300 },
        documents: { type: 'array', items: {}, maxItems: 7 },
        metadata: { type: 'object', maxProperties: env.MAX_METADATA_KEYS },
        top_k: { type: 'number', maximum: env.MAX_TOP_K },
      },
    });
  });

  it('refuses a marker on a schema that has no such bound', () => {
    expect(() =>
      resolveContract(documentWith({ type: 'boolean', ...limitedBy('MAX_TOP_K') }), env),
    ).toThrow('MAX_TOP_K bounds a schema of type boolean');
  });

  it("lists the scope of each protected operation's role, read when it names none", () => {
    const { paths } = resolveContract(
      documentWith(
        {},
        {
          get: { security: [{ bearer: [] }], responses: {} },
          post: { security: [{ bearer: [] }], 'x-required-role': 'admin', responses: {} },
          head: { responses: {} },
        },
      ),
      parseEnv({ AUTH_SCOPE_ADMIN: 'api/admin' }),
    );
    expect(paths['/x']).toEqual({
      get: { security: [{ bearer: ['rag/read'] }], responses: {} },
      post: { security: [{ bearer: ['api/admin'] }], responses: {} },
      head: { responses: {} },
    });
  });
});

describe('resolveContract: bodies and error examples', () => {
  const forbidden = {
    description: 'd',
    content: {
      'application/json': {
        schema: {},
        example: { statusCode: 403, error: 'Forbidden', message: 'requires {scope}' },
      },
    },
  };

  it('gives every operation with a body a 415 naming the media types it reads', () => {
    const { paths } = resolveContract(
      documentWith(
        {},
        {
          post: {
            requestBody: { content: { 'application/json': { schema: {} } } },
            responses: {},
          },
          get: { responses: {} },
        },
      ),
      env,
    );
    const operations = paths['/x'] as Record<string, { responses: Record<string, unknown> }>;
    expect(operations.post.responses['415']).toMatchObject({
      content: {
        'application/json': {
          example: {
            statusCode: 415,
            error: 'Unsupported Media Type',
            message: expect.stringContaining('send Content-Type: application/json'),
          },
        },
      },
    });
    expect(operations.get.responses['415']).toBeUndefined();
  });

  it("names each operation's scope in its own copy of a shared 403 example", () => {
    const { paths } = resolveContract(
      documentWith(
        {},
        {
          get: { security: [{ bearer: [] }], responses: { 403: forbidden } },
          post: {
            security: [{ bearer: [] }],
            'x-required-role': 'admin',
            responses: { 403: forbidden },
          },
        },
      ),
      env,
    );
    const messageOf = (method: string) =>
      (
        (paths['/x'] as Record<string, { responses: Record<string, typeof forbidden> }>)[method]
          .responses['403'].content['application/json'].example as { message: string }
      ).message;
    expect([messageOf('get'), messageOf('post')]).toEqual([
      'requires rag/read',
      'requires rag/admin',
    ]);
  });

  it('moves a body declared per media type into the request body, bounds resolved', () => {
    const { paths } = resolveContract(
      documentWith(
        {},
        {
          post: {
            'x-body-by-media-type': {
              'multipart/form-data': {
                type: 'object',
                properties: {
                  files: {
                    type: 'array',
                    items: { type: 'string', format: 'binary' },
                    ...limitedBy('INGEST_MAX_FILES'),
                  },
                },
              },
              'application/json': { $ref: '#/components/schemas/Body' },
            },
            requestBody: { content: { 'application/json': { schema: { oneOf: [] } } } },
            responses: {},
          },
        },
      ),
      env,
    );
    const post = (paths['/x'] as Record<string, Record<string, unknown>>).post;
    expect(post['x-body-by-media-type']).toBeUndefined();
    expect(post.requestBody).toEqual({
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              files: {
                type: 'array',
                items: { type: 'string', format: 'binary' },
                maxItems: env.INGEST_MAX_FILES,
              },
            },
          },
        },
        'application/json': { schema: { $ref: '#/components/schemas/Body' } },
      },
    });
  });
});
