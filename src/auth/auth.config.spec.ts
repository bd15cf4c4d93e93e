import { parseEnv } from '../config/env';
import { authConfigFrom } from './auth.config';

const env = (extra: Record<string, string>) =>
  parseEnv({ DATA_DIR: '/tmp/rag-auth-config', ...extra });

describe('auth configuration', () => {
  it('trusts the local issuer by default outside production', () => {
    const auth = authConfigFrom(env({}));
    expect(auth.trusted).toEqual({
      kind: 'local',
      issuer: 'local',
      keyDir: '/tmp/rag-auth-config/auth',
    });
    expect(auth.clientIds).toEqual(['local-dev']);
    expect(auth.policy.scopes).toEqual({
      read: 'rag/read',
      write: 'rag/write',
      admin: 'rag/admin',
    });
    expect(auth.policy.collectionsClaim).toBe('custom:collections');
  });

  it('derives the Cognito issuer from the pool id and honours a JWKS override', () => {
    const auth = authConfigFrom(
      env({
        COGNITO_USER_POOL_ID: 'us-gov-west-1_Abc123',
        COGNITO_CLIENT_IDS: 'a, b',
        COGNITO_JWKS_URI: 'http://127.0.0.1:9/jwks.json',
      }),
    );
    expect(auth.trusted).toEqual({
      kind: 'cognito',
      issuer: 'https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Abc123',
      jwksUri: 'http://127.0.0.1:9/jwks.json',
    });
    expect(auth.clientIds).toEqual(['a', 'b']);
  });

  it('parses group roles and group collections', () => {
    const { policy } = authConfigFrom(
      env({
        AUTH_GROUP_ROLES: 'admins:admin, editors:write',
        AUTH_GROUP_COLLECTIONS: 'hr:hr-docs|handbook,ops:*',
      }),
    );
    expect(policy.groupRoles).toEqual({ admins: 'admin', editors: 'write' });
    expect(policy.groupCollections).toEqual({ hr: ['hr-docs', 'handbook'], ops: '*' });
  });

  it.each([
    ['AUTH_GROUP_ROLES', { AUTH_GROUP_ROLES: 'admins:root' }],
    ['AUTH_GROUP_COLLECTIONS', { AUTH_GROUP_COLLECTIONS: 'hr:Bad Name!' }],
    ['COGNITO_USER_POOL_ID', { COGNITO_USER_POOL_ID: 'nopool', COGNITO_CLIENT_IDS: 'a' }],
    [
      'COGNITO_REGION',
      {
        COGNITO_USER_POOL_ID: 'eu-west-1_Abc',
        COGNITO_CLIENT_IDS: 'a',
        COGNITO_REGION: 'us-east-1',
      },
    ],
    ['COGNITO_CLIENT_IDS', { COGNITO_USER_POOL_ID: 'eu-west-1_Abc' }],
    ['COGNITO_USER_POOL_ID', { NODE_ENV: 'production' }],
  ])('names %s when it is wrong', (name, extra) => {
    expect(() => env(extra)).toThrow(name);
  });
});
