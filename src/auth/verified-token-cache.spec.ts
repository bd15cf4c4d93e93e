import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Principal } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Only the header and payload matter here: the cache sees tokens after full verification. */
const tokenOf = (kid: string, exp: number) =>
  `${part({ alg: 'RS256', kid })}.${part({ sub: 'alice', exp })}.signature`;
const principal = { sub: 'alice' } as Principal;
const newKey = (): KeyObject => generateKeyPairSync('ed25519').publicKey;

describe('VerifiedTokenCache', () => {
  let now: number;
  let published: Map<string, KeyObject>;
  const lookup = (kid: string) => {
    const key = published.get(kid);
    return key ? Promise.resolve(key) : Promise.reject(new Error(`no key ${kid}`));
  };
  const cache = (entries = 10) => new VerifiedTokenCache(entries, lookup, () => now);

  beforeEach(() => {
    now = 1_000_000_000;
    published = new Map([['k1', newKey()]]);
  });

  it('answers the principal of a token verified before, until its exp', async () => {
    const tokens = cache();
    const token = tokenOf('k1', now / 1000 + 60);
    expect(await tokens.principalOf(token)).toBeUndefined();
    await tokens.remember(token, principal);
    expect(await tokens.principalOf(token)).toBe(principal);
    now += 59_999;
    expect(await tokens.principalOf(token)).toBe(principal);
    now += 1;
    expect(await tokens.principalOf(token)).toBeUndefined();
  });

  it('forgets a token whose key is no longer published, or was replaced', async () => {
    const tokens = cache();
    const token = tokenOf('k1', now / 1000 + 60);
    await tokens.remember(token, principal);
    published.set('k1', newKey());
    expect(await tokens.principalOf(token)).toBeUndefined();
    await tokens.remember(token, principal);
    published.delete('k1');
    expect(await tokens.principalOf(token)).toBeUndefined();
    published.set('k1', newKey());
    expect(await tokens.principalOf(token)).toBeUndefined();
  });

  it('remembers nothing without a kid and an exp, or with 0 entries', async () => {
    const tokens = cache();
    const noExp = `${part({ kid: 'k1' })}.${part({ sub: 'alice' })}.s`;
    const noKid = `${part({ alg: 'RS256' })}.${part({ exp: now / 1000 + 60 })}.s`;
    for (const token of [noExp, noKid, 'garbage']) {
      await tokens.remember(token, principal);
      expect(await tokens.principalOf(token)).toBeUndefined();
    }
    const off = cache(0);
    const token = tokenOf('k1', now / 1000 + 60);
    await off.remember(token, principal);
    expect(await off.principalOf(token)).toBeUndefined();
  });

  it('keeps at most its number of entries, the least recently used going first', async () => {
    const tokens = cache(2);
    const [a, b, c] = [60, 61, 62].map((s) => tokenOf('k1', now / 1000 + s));
    await tokens.remember(a, principal);
    await tokens.remember(b, principal);
    expect(await tokens.principalOf(a)).toBe(principal);
    await tokens.remember(c, principal);
    expect(await tokens.principalOf(b)).toBeUndefined();
    expect(await tokens.principalOf(a)).toBe(principal);
    expect(await tokens.principalOf(c)).toBe(principal);
  });
});
