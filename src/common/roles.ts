/** Roles in increasing order of power: each one includes every role before it. */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Collections a group may use; `'*'` grants every collection. */
export type CollectionGrant = '*' | string[];
