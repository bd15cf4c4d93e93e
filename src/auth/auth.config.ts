import { join } from 'node:path';
import { z } from 'zod';
import { COLLECTION_NAME } from '../common/collection-name';
import { ROLES, type AccessPolicy, type CollectionGrant, type Role } from './principal';

/** The issuer the API trusts: a Cognito user pool, or the development key pair in DATA_DIR. */
export type TrustedIssuer =
  | { kind: 'cognito'; issuer: string; jwksUri: string }
  | { kind: 'local'; issuer: string; keyDir: string };

export interface AuthConfig {
  trusted: TrustedIssuer;
  /** App clients allowed to call: `client_id` of access tokens, `aud` of id tokens. */
  clientIds: string[];
  acceptIdTokens: boolean;
  clockSkewSeconds: number;
  jwks: { cacheMaxAgeMs: number; requestsPerMinute: number; timeoutMs: number };
  policy: AccessPolicy;
}

/** What `iss` must be for tokens of the local issuer; not a URL, so it can never match Cognito. */
export const LOCAL_ISSUER = 'local';
/** Client id the local issuer stamps on tokens when COGNITO_CLIENT_IDS is not set. */
export const LOCAL_CLIENT_ID = 'local-dev';

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

/** The auth variables as parsed by the env schema. */
export interface AuthEnv {
  NODE_ENV: 'development' | 'production' | 'test';
  COGNITO_REGION?: string;
  COGNITO_USER_POOL_ID?: string;
  COGNITO_CLIENT_IDS: string[];
  COGNITO_JWKS_URI?: string;
  AUTH_ACCEPT_ID_TOKENS: boolean;
  AUTH_CLOCK_SKEW_SECONDS: number;
  AUTH_JWKS_CACHE_MAX_AGE_MS: number;
  AUTH_JWKS_RATE_LIMIT_PER_MINUTE: number;
  AUTH_JWKS_TIMEOUT_MS: number;
  AUTH_SCOPE_READ: string;
  AUTH_SCOPE_WRITE: string;
  AUTH_SCOPE_ADMIN: string;
  AUTH_GROUP_ROLES: Record<string, Role>;
  AUTH_GROUP_COLLECTIONS: Record<string, CollectionGrant>;
  AUTH_COLLECTIONS_CLAIM?: string;
}

/** A pool id is `<region>_<id>`, so the region can be read from it. */
const regionOf = (env: AuthEnv): string | undefined =>
  env.COGNITO_REGION ?? env.COGNITO_USER_POOL_ID?.split('_')[0];

/** Cross-variable rules, reported against the env schema with the variable names. */
export function checkAuthEnv(env: AuthEnv, ctx: z.RefinementCtx): void {
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

export function authConfigFrom(env: AuthEnv, dataDir: string): AuthConfig {
  const pool = env.COGNITO_USER_POOL_ID;
  const issuer = pool && `https://cognito-idp.${regionOf(env)}.amazonaws.com/${pool}`;
  return {
    trusted: issuer
      ? {
          kind: 'cognito',
          issuer,
          jwksUri: env.COGNITO_JWKS_URI ?? `${issuer}/.well-known/jwks.json`,
        }
      : { kind: 'local', issuer: LOCAL_ISSUER, keyDir: join(dataDir, 'auth') },
    clientIds: env.COGNITO_CLIENT_IDS.length > 0 ? env.COGNITO_CLIENT_IDS : [LOCAL_CLIENT_ID],
    acceptIdTokens: env.AUTH_ACCEPT_ID_TOKENS,
    clockSkewSeconds: env.AUTH_CLOCK_SKEW_SECONDS,
    jwks: {
      cacheMaxAgeMs: env.AUTH_JWKS_CACHE_MAX_AGE_MS,
      requestsPerMinute: env.AUTH_JWKS_RATE_LIMIT_PER_MINUTE,
      timeoutMs: env.AUTH_JWKS_TIMEOUT_MS,
    },
    policy: {
      scopes: {
        read: env.AUTH_SCOPE_READ,
        write: env.AUTH_SCOPE_WRITE,
        admin: env.AUTH_SCOPE_ADMIN,
      },
      groupRoles: env.AUTH_GROUP_ROLES,
      groupCollections: env.AUTH_GROUP_COLLECTIONS,
      collectionsClaim: env.AUTH_COLLECTIONS_CLAIM,
    },
  };
}
