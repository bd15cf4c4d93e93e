import { z } from 'zod';
import { COLLECTION_NAME } from '../common/collection-name';
import { ROLES, type CollectionGrant, type Role } from '../common/roles';

const items = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const pairs = (value: string): string[][] =>
  items(value).map((item) => item.split(':').map((part) => part.trim()));

/** `a,b , c` → `['a','b','c']`; empty means none. */
export const csvList = z.string().default('').transform(items);

/** `admins:admin,editors:write` → group → role. */
export const groupRolesList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const map: Record<string, Role> = {};
    for (const [group, role, ...rest] of pairs(value)) {
      if (!group || !ROLES.includes(role as Role) || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: `expected group:${ROLES.join('|')} pairs` });
        return z.NEVER;
      }
      map[group] = role as Role;
    }
    return map;
  });

/** `hr:hr-docs|handbook,eng:eng-docs,ops:*` → group → collections. */
export const groupCollectionsList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const map: Record<string, CollectionGrant> = {};
    for (const [group, list = '', ...rest] of pairs(value)) {
      const names = list.split('|').map((name) => name.trim());
      const valid = names.every((name) => name === '*' || COLLECTION_NAME.test(name));
      if (!group || rest.length > 0 || !valid) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected group:collection|collection pairs (collection names or *)',
        });
        return z.NEVER;
      }
      map[group] = names.includes('*') ? '*' : names;
    }
    return map;
  });

/** The token-issuer variables the cross-variable rules look at. */
interface IssuerEnv {
  NODE_ENV: 'development' | 'production' | 'test';
  COGNITO_REGION?: string;
  COGNITO_USER_POOL_ID?: string;
  COGNITO_CLIENT_IDS: string[];
}

/** Cross-variable rules of the token issuer, reported against the variable names. */
export function checkIssuerEnv(env: IssuerEnv, ctx: z.RefinementCtx): void {
  const pool = env.COGNITO_USER_POOL_ID;
  if (pool === undefined) {
    // The local issuer signs whatever a developer asks for; production must trust Cognito.
    if (env.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['COGNITO_USER_POOL_ID'],
        message:
          'is required in production (with COGNITO_CLIENT_IDS, and COGNITO_REGION unless the pool id starts with it): the local development token issuer is never trusted in production',
      });
    }
    return;
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d_[0-9a-zA-Z]+$/.test(pool)) {
    ctx.addIssue({
      code: 'custom',
      path: ['COGNITO_USER_POOL_ID'],
      message: 'must look like <region>_<id>, e.g. eu-west-1_AbC123xyz',
    });
  } else if (env.COGNITO_REGION !== undefined && !pool.startsWith(`${env.COGNITO_REGION}_`)) {
    ctx.addIssue({
      code: 'custom',
      path: ['COGNITO_REGION'],
      message: 'does not match the region prefix of COGNITO_USER_POOL_ID',
    });
  }
  if (env.COGNITO_CLIENT_IDS.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['COGNITO_CLIENT_IDS'],
      message: 'is required with COGNITO_USER_POOL_ID: list the app client ids allowed to call',
    });
  }
}
