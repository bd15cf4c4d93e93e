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
