import { applyDecorators } from '@nestjs/common';
import { ApiConsumes, ApiExtension, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { DEFAULT_ROLE, REQUIRED_ROLE_EXTENSION } from '../auth/require-role.decorator';
import type { Env } from '../config/env.schema';
import { errorExample, SCOPE_PLACEHOLDER } from './api-errors.decorator';
import type { Role } from './roles';

/** Numeric settings that bound a request field. */
export type LimitVariable = { [K in keyof Env]-?: Env[K] extends number ? K : never }[keyof Env];

const LIMIT = 'x-limit';

/**
 * Swagger metadata of a field the API bounds by a setting. The document states the running
 * configuration's value, so the contract and the check read the same number: `maxLength` of a
 * string, `maxItems` of an array, `maxProperties` of an object, `maximum` of a number.
 */
export const limitedBy = (variable: LimitVariable): { [LIMIT]: LimitVariable } => ({
  [LIMIT]: variable,
});

const BOUND_BY_TYPE: Record<string, string> = {
  string: 'maxLength',
  array: 'maxItems',
  object: 'maxProperties',
  number: 'maximum',
  integer: 'maximum',
};

/** Replaces every `x-limit` marker below `node` by the bound its setting has in `env`. */
function resolveLimits(node: unknown, env: Env): void {
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const variable = record[LIMIT] as LimitVariable | undefined;
  if (variable !== undefined) {
    const bound = BOUND_BY_TYPE[String(record.type)];
    if (!bound) throw new Error(`${variable} bounds a schema of type ${String(record.type)}`);
    record[bound] = env[variable];
    delete record[LIMIT];
  }
  for (const child of Object.values(record)) resolveLimits(child, env);
}

const BODY_BY_MEDIA_TYPE = 'x-body-by-media-type';

/**
 * Swagger for a request body whose schema depends on its media type (the first one is what
 * Swagger UI offers first): `multipart/form-data` with binary file items gets file inputs, which
 * one schema shared by every media type (a `oneOf`) does not.
 */
export const ApiBodyByMediaType = (content: Record<string, object>): MethodDecorator =>
  applyDecorators(ApiConsumes(...Object.keys(content)), ApiExtension(BODY_BY_MEDIA_TYPE, content));

/** `$ref` of a DTO's schema, for ApiBodyByMediaType (list the DTO in ApiExtraModels). */
export const schemaRef = (dto: Parameters<typeof getSchemaPath>[0]): { $ref: string } => ({
  $ref: getSchemaPath(dto),
});

/** The 415 of an operation that reads a body, naming the media types it reads. */
function unsupportedMediaType(types: string[]): Record<string, unknown> {
  const expected = types.map((type) => `Content-Type: ${type}`).join(' or ');
  return {
    description: `The body is not ${types.join(' or ')}, or its Content-Type is missing`,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ApiErrorDto' },
        example: errorExample(
          415,
          `request body: Content-Type text/plain is not supported; send ${expected}`,
        ),
      },
    },
  };
}

type Responses = Record<string, { content?: Record<string, { example?: { message: string } }> }>;

/** The 403 example names the scope the operation requires. A copy: responses are shared. */
function nameScopeIn403(responses: Responses, scope: string): void {
  const forbidden = responses['403'];
  const media = forbidden?.content?.['application/json'];
  if (!media?.example) return;
  const message = media.example.message.replace(SCOPE_PLACEHOLDER, scope);
  responses['403'] = {
    ...forbidden,
    content: { 'application/json': { ...media, example: { ...media.example, message } } },
  };
}

/** Moves an ApiBodyByMediaType declaration into the operation's request body. */
function bodyByMediaType(operation: Record<string, unknown>): void {
  const content = operation[BODY_BY_MEDIA_TYPE] as Record<string, object> | undefined;
  if (!content) return;
  delete operation[BODY_BY_MEDIA_TYPE];
  operation.requestBody = {
    required: true,
    content: Object.fromEntries(
      Object.entries(content).map(([type, schema]) => [type, { schema: structuredClone(schema) }]),
    ),
  };
}

/** The OAuth scope that grants each role, as the token check reads it (AUTH_SCOPE_*). */
const scopeOf = (env: Env, role: Role): string =>
  ({ read: env.AUTH_SCOPE_READ, write: env.AUTH_SCOPE_WRITE, admin: env.AUTH_SCOPE_ADMIN })[role];

/**
 * Fills the configuration into the generated document: field bounds from their settings, each
 * protected operation's security requirement with the scope of the role it needs (named in its
 * 403 example too), and the 415 of every operation that reads a body.
 */
export function resolveContract(document: OpenAPIObject, env: Env): OpenAPIObject {
  resolveLimits(document.components?.schemas, env);
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, Record<string, unknown>>)) {
      bodyByMediaType(operation);
      resolveLimits(operation.parameters, env);
      resolveLimits(operation.requestBody, env);
      const responses = operation.responses as Responses;
      const body = operation.requestBody as { content?: object } | undefined;
      if (body?.content) responses['415'] ??= unsupportedMediaType(Object.keys(body.content));
      const role = (operation[REQUIRED_ROLE_EXTENSION] as Role | undefined) ?? DEFAULT_ROLE;
      delete operation[REQUIRED_ROLE_EXTENSION];
      const security = operation.security as Record<string, string[]>[] | undefined;
      if (security) {
        const scope = scopeOf(env, role);
        operation.security = security.map((requirement) =>
          Object.fromEntries(Object.keys(requirement).map((name) => [name, [scope]])),
        );
        nameScopeIn403(responses, scope);
      }
    }
  }
  return document;
}

/** Swagger metadata of a UUID path parameter (canonical form: 36 characters). */
export const UUID_SCHEMA = {
  type: 'string' as const,
  format: 'uuid',
  minLength: 36,
  maxLength: 36,
};
