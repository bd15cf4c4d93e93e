import { principalFromClaims, type AccessPolicy, type VerifiedClaims } from './principal';

const policy: AccessPolicy = {
  scopes: { read: 'rag/read', write: 'rag/write', admin: 'rag/admin' },
  groupRoles: { admins: 'admin', editors: 'write' },
  groupCollections: { hr: ['hr-docs', 'handbook'], ops: '*' },
  collectionsClaim: 'custom:collections',
};

const claims = (extra: Record<string, unknown> = {}): VerifiedClaims => ({
  sub: 's-1',
  token_use: 'access',
  clientId: 'client',
  ...extra,
});

describe('principalFromClaims', () => {
  it('grants nothing without scopes or known groups', () => {
    const groups = ['nobody', 'constructor', '__proto__', 'toString'];
    expect(principalFromClaims(claims({ 'cognito:groups': groups }), policy)).toMatchObject({
      username: 's-1',
      roles: [],
      collections: [],
    });
  });

  it('expands the highest role from scopes and groups', () => {
    expect(principalFromClaims(claims({ scope: 'openid rag/write' }), policy).roles).toEqual([
      'read',
      'write',
    ]);
    const both = principalFromClaims(
      claims({ scope: 'rag/read', 'cognito:groups': ['admins'] }),
      policy,
    );
    expect(both.roles).toEqual(['read', 'write', 'admin']);
  });

  it('merges group and claim collections, comma or space separated', () => {
    const principal = principalFromClaims(
      claims({ 'cognito:groups': ['hr'], 'custom:collections': 'docs, eng-docs hr-docs' }),
      policy,
    );
    expect(principal.collections).toEqual(['docs', 'eng-docs', 'handbook', 'hr-docs']);
  });

  it('treats * from a group or the claim, and admin, as every collection', () => {
    expect(principalFromClaims(claims({ 'cognito:groups': ['ops'] }), policy).collections).toBe(
      '*',
    );
    expect(principalFromClaims(claims({ 'custom:collections': ['*'] }), policy).collections).toBe(
      '*',
    );
    expect(principalFromClaims(claims({ scope: 'rag/admin' }), policy).collections).toBe('*');
  });

  it('ignores items that are not strings, and empty items around separators', () => {
    const principal = principalFromClaims(
      claims({ 'cognito:groups': [42, 'hr', null], 'custom:collections': ' ,docs, ' }),
      policy,
    );
    expect(principal.groups).toEqual(['hr']);
    expect(principal.collections).toEqual(['docs', 'handbook', 'hr-docs']);
  });

  it('ignores the claim when it is disabled, and takes the id-token username', () => {
    const principal = principalFromClaims(
      claims({ 'custom:collections': 'docs', 'cognito:username': 'bob' }),
      { ...policy, collectionsClaim: undefined },
    );
    expect(principal).toMatchObject({ username: 'bob', collections: [] });
  });
});
