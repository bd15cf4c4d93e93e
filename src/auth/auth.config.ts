import { dataPath } from '../config/env';
import type { Env } from '../config/env.schema';
import type { AccessPolicy } from './principal';

/** The issuer the API trusts: a Cognito user pool, or the development key pair in DATA_DIR. */
export type TrustedIssuer =
  | { kind: 'cognito'; issuer: string; jwksUri: string }
  | { kind: 'local'; issuer: string; keyDir: string };

/** Who may call: trusted token issuer, app clients, roles and collection grants. */
export abstract class AuthConfig {
  abstract readonly trusted: TrustedIssuer;
  /** App clients allowed to call: `client_id` of access tokens, `aud` of id tokens. */
  abstract readonly clientIds: string[];
  abstract readonly acceptIdTokens: boolean;
  abstract readonly clockSkewSeconds: number;
  abstract readonly jwks: { cacheMaxAgeMs: number; requestsPerMinute: number; timeoutMs: number };
  abstract readonly policy: AccessPolicy;
  /** Failed authentications one client address may have per window before it gets 429s. */
  abstract readonly failures: { limit: number; windowMs: number };
  /** Verified tokens remembered, so a reused token skips the signature check; 0: none. */
  abstract readonly tokenCacheEntries: number;
}

/** What `iss` must be for tokens of the local issuer; not a URL, so it can never match Cognito. */
export const LOCAL_ISSUER = 'local';
/** Client id the local issuer stamps on tokens when COGNITO_CLIENT_IDS is not set. */
export const LOCAL_CLIENT_ID = 'local-dev';

/** A pool id is `<region>_<id>`, so the region can be read from it. */
const regionOf = (env: Env): string | undefined =>
  env.COGNITO_REGION ?? env.COGNITO_USER_POOL_ID?.split('_')[0];

/** Built once at boot from the validated environment (AuthModule's provider). */
export function authConfigFrom(env: Env): AuthConfig {
  const pool = env.COGNITO_USER_POOL_ID;
  const issuer = pool && `https://cognito-idp.${regionOf(env)}.amazonaws.com/${pool}`;
  return {
    trusted: issuer
      ? {
          kind: 'cognito',
          issuer,
          jwksUri: env.COGNITO_JWKS_URI ?? `${issuer}/.well-known/jwks.json`,
        }
      : { kind: 'local', issuer: LOCAL_ISSUER, keyDir: dataPath(env, 'auth') },
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
    failures: { limit: env.AUTH_FAILURE_LIMIT, windowMs: env.AUTH_FAILURE_WINDOW_MS },
    tokenCacheEntries: env.AUTH_TOKEN_CACHE_ENTRIES,
  };
}
