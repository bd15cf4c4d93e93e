import { canAccessCollection, filterAccessibleCollections } from './collection-access';
import type { Principal } from './principal';

const principal = (collections: Principal['collections']): Principal => ({
  sub: 's',
  username: 'u',
  tokenUse: 'access',
  clientId: 'c',
  scopes: [],
  groups: [],
  roles: ['read'],
  collections,
});

describe('collection access', () => {
  it('allows only granted collections, or all with *', () => {
    expect(canAccessCollection(principal(['docs']), 'docs')).toBe(true);
    expect(canAccessCollection(principal(['docs']), 'hr-docs')).toBe(false);
    expect(canAccessCollection(principal([]), 'docs')).toBe(false);
    expect(canAccessCollection(principal('*'), 'hr-docs')).toBe(true);
  });

  it('filters names or objects of a listing', () => {
    expect(filterAccessibleCollections(principal(['b']), ['a', 'b'])).toEqual(['b']);
    const items = [{ name: 'a' }, { name: 'b' }];
    expect(filterAccessibleCollections(principal(['a']), items, (item) => item.name)).toEqual([
      { name: 'a' },
    ]);
  });
});
