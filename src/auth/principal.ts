import { ROLES, type CollectionGrant, type Role } from '../common/roles';

/** Who is calling, derived once per request from a verified token; `req.user` holds it. */
export interface Principal {
  sub: string;
  username: string;
  tokenUse: 'access' | 'id';
  /** The app client the token was issued to (`client_id`, or `aud` for id tokens). */
  clientId: string;
  scopes: string[];
  groups: string[];
  /** Every role held, lower roles included, so a check is a plain `includes`. */
  roles: Role[];
  collections: CollectionGrant;
}

/** How token contents map to roles and collections (from the AUTH_* settings). */
export interface AccessPolicy {
  scopes: Record<Role, string>;
  groupRoles: Record<string, Role>;
  groupCollections: Record<string, CollectionGrant>;
  /** Claim listing extra collections; undefined when disabled. */
  collectionsClaim?: string;
}

/** Claims of a token whose signature, issuer, lifetime, use and client were already checked. */
export interface VerifiedClaims {
  sub: string;
  token_use: 'access' | 'id';
  clientId: string;
  [claim: string]: unknown;
}

export const hasRole = (principal: Principal, role: Role): boolean =>
  principal.roles.includes(role);

const rolesUpTo = (role: Role): Role[] => ROLES.slice(0, ROLES.indexOf(role) + 1);

const strings = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  // Space-separated is the OAuth `scope` form; commas are what Cognito custom attributes allow.
  // Stryker disable next-line Regex: the empty items a single-character split leaves are filtered out
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((item) => item !== '');
  return [];
};

/** Group names come from the token: `constructor` must not find Object.prototype's. */
const lookup = <T>(map: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(map, key) ? map[key] : undefined;

const mergeGrants = (grants: CollectionGrant[]): CollectionGrant => {
  if (grants.includes('*')) return '*';
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: no '*' is left after the line above
  return [...new Set(grants.flatMap((grant) => (grant === '*' ? [] : grant)))].sort();
};

export function principalFromClaims(claims: VerifiedClaims, policy: AccessPolicy): Principal {
  const scopes = strings(claims.scope);
  const groups = strings(claims['cognito:groups']);
  const granted = new Set<Role>();
  for (const role of ROLES) if (scopes.includes(policy.scopes[role])) granted.add(role);
  for (const group of groups) {
    const role = lookup(policy.groupRoles, group);
    if (role) granted.add(role);
  }
  const highest = [...ROLES].reverse().find((role) => granted.has(role));
  const roles = highest ? rolesUpTo(highest) : [];

  const fromClaim = policy.collectionsClaim ? strings(claims[policy.collectionsClaim]) : [];
  const grants: CollectionGrant[] = groups.map(
    (group) => lookup(policy.groupCollections, group) ?? [],
  );
  grants.push(fromClaim.includes('*') ? '*' : fromClaim);
  const username = claims.username ?? claims['cognito:username'];
  return {
    sub: claims.sub,
    username: typeof username === 'string' ? username : claims.sub,
    tokenUse: claims.token_use,
    clientId: claims.clientId,
    scopes,
    groups,
    roles,
    collections: roles.includes('admin') ? '*' : mergeGrants(grants),
  };
}
