import type { Principal } from './principal';

/**
 * Object-level authorisation (OWASP API1): callers see only the collections granted to them.
 * Callers should answer a denied collection exactly like a missing one, so names do not leak.
 */
export const canAccessCollection = (principal: Principal, name: string): boolean =>
  principal.collections === '*' || principal.collections.includes(name);

/** Keeps the items of a listing the caller may see; `nameOf` picks the collection name. */
export function filterAccessibleCollections<T>(
  principal: Principal,
  items: readonly T[],
  nameOf: (item: T) => string = String,
): T[] {
  return items.filter((item) => canAccessCollection(principal, nameOf(item)));
}
