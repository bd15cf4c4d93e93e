import type { OpenAPIObject } from '@nestjs/swagger';
import { DEFAULT_ROLE, REQUIRED_ROLE_EXTENSION } from '../auth/require-role.decorator';
import type { Env } from '../config/env.schema';
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

/** The OAuth scope that grants each role, as the token check reads it (AUTH_SCOPE_*). */
const scopeOf = (env: Env, role: Role): string =>
  ({ read: env.AUTH_SCOPE_READ, write: env.AUTH_SCOPE_WRITE, admin: env.AUTH_SCOPE_ADMIN })[role];

/**
 * Fills the configuration into the generated document: field bounds from their settings, and
 * each protected operation's security requirement with the scope of the role it needs.
 */
export function resolveContract(document: OpenAPIObject, env: Env): OpenAPIObject {
  resolveLimits(document.components?.schemas, env);
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, Record<string, unknown>>)) {
      resolveLimits(operation.parameters, env);
      resolveLimits(operation.requestBody, env);
      const role = (operation[REQUIRED_ROLE_EXTENSION] as Role | undefined) ?? DEFAULT_ROLE;
      delete operation[REQUIRED_ROLE_EXTENSION];
      const security = operation.security as Record<string, string[]>[] | undefined;
      if (security) {
        operation.security = security.map((requirement) =>
          Object.fromEntries(Object.keys(requirement).map((name) => [name, [scopeOf(env, role)]])),
        );
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
