import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Principal } from './principal';

/** The lookup of a signing key by `kid`, as SigningKeys answers it. */
export type KeyLookup = (kid: string) => Promise<KeyObject>;

interface Verified {
  principal: Principal;
  /** `exp` in ms: past it the token goes through full verification again (clock skew and all). */
  expiresAtMs: number;
  kid: string;
  /** The key that verified it: a hit needs the issuer to still publish this key under `kid`. */
  key: KeyObject;
}

const decodePart = (part: string | undefined): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
};

/**
 * Principals of tokens that passed full verification, keyed by the token itself, so a client
 * reusing its token skips the signature check (most of the auth cost per request). A hit holds
 * only while the token has not reached its `exp` and its `kid` still resolves to the very key
 * that verified it: a key dropped from the JWKS, or replaced, sends the token back through full
 * verification, which refuses it. Bounded (least recently used goes first); 0 entries disables it.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Verified> | undefined;

  constructor(
    maxEntries: number,
    private readonly keyFor: KeyLookup,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = maxEntries > 0 ? new LRUCache({ max: maxEntries }) : undefined;
  }

  /** The principal of an earlier verification of `token`, if it still holds. */
  async principalOf(token: string): Promise<Principal | undefined> {
    const hit = this.entries?.get(token);
    if (!hit) return undefined;
    if (this.now() >= hit.expiresAtMs || (await this.currentKey(hit.kid)) !== hit.key) {
      this.entries?.delete(token);
      return undefined;
    }
    return hit.principal;
  }

  /** Remembers a token that full verification just accepted. */
  async remember(token: string, principal: Principal): Promise<void> {
    if (!this.entries) return;
    const [header, payload] = token.split('.');
    const { kid } = decodePart(header);
    const { exp } = decodePart(payload);
    if (typeof kid !== 'string' || typeof exp !== 'number') return;
    const key = await this.currentKey(kid);
    if (key) this.entries.set(token, { principal, expiresAtMs: exp * 1000, kid, key });
  }

  private async currentKey(kid: string): Promise<KeyObject | undefined> {
    try {
      return await this.keyFor(kid);
    } catch {
      return undefined;
    }
  }
}
