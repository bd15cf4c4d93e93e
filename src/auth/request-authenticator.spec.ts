import type { Request, Response } from 'express';
import { generateKeyPairSync } from 'node:crypto';
import passport from 'passport';
import { Strategy } from 'passport-strategy';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { COGNITO_JWT } from './cognito-jwt.strategy';
import { RequestAuthenticator } from './request-authenticator';
import { VerifiedTokenCache } from './verified-token-cache';

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT-shaped token the stand-in accepts, with a kid and an exp the cache can check. */
const GOOD_JWT = `${part({ alg: 'RS256', kid: 'k1' })}.${part({ exp: 4_000_000_000 })}.sig`;

/** Stands in for the Cognito strategy under its name: `Bearer good` (or GOOD_JWT) verifies, anything else fails. */
class CountingStrategy extends Strategy {
  // Passport runs each request on an object derived from the strategy: count outside it.
  readonly counter = { calls: 0 };

  get calls(): number {
    return this.counter.calls;
  }

  override authenticate(request: Request): void {
    this.counter.calls += 1;
    const { authorization } = request.headers;
    if (authorization === 'Bearer good' || authorization === `Bearer ${GOOD_JWT}`)
      this.success({ sub: 'alice' });
    else this.fail('bad token', 401);
  }
}

const requestFrom = (ip: string, authorization: string) =>
  ({ ip, headers: { authorization }, socket: {} }) as unknown as Request;
const response = {} as Response;

describe('RequestAuthenticator', () => {
  let strategy: CountingStrategy;
  let authenticator: RequestAuthenticator;

  beforeEach(() => {
    strategy = new CountingStrategy();
    passport.use(COGNITO_JWT, strategy);
    authenticator = new RequestAuthenticator(
      new AuthFailureLimiter({ limit: 2, windowMs: 60_000 }),
      new VerifiedTokenCache(0, () => Promise.reject(new Error('no keys here'))),
    );
  });

  it('verifies a request once, whoever asks', async () => {
    const request = requestFrom('10.0.0.1', 'Bearer good');
    const first = await authenticator.authenticate(request, response);
    const second = await authenticator.authenticate(request, response);
    expect(first).toEqual({ kind: 'verified', principal: { sub: 'alice' } });
    expect(second).toBe(first);
    expect(strategy.calls).toBe(1);
  });

  it('skips the strategy for a token it verified on an earlier request', async () => {
    const key = generateKeyPairSync('ed25519').publicKey;
    const remembering = new RequestAuthenticator(
      new AuthFailureLimiter({ limit: 2, windowMs: 60_000 }),
      new VerifiedTokenCache(10, () => Promise.resolve(key)),
    );
    for (let i = 0; i < 3; i += 1) {
      expect(
        await remembering.authenticate(requestFrom('10.0.0.3', `Bearer ${GOOD_JWT}`), response),
      ).toEqual({ kind: 'verified', principal: { sub: 'alice' } });
    }
    expect(strategy.calls).toBe(1);
  });

  it('throttles further failures from an address over the limit, not its valid tokens', async () => {
    for (let i = 0; i < 2; i += 1) {
      const request = requestFrom('10.0.0.2', 'Bearer forged');
      expect(await authenticator.authenticate(request, response)).toMatchObject({
        kind: 'refused',
      });
      authenticator.recordFailure(request);
    }
    expect(
      await authenticator.authenticate(requestFrom('10.0.0.2', 'Bearer forged'), response),
    ).toEqual({ kind: 'throttled', retryAfterSeconds: 60 });
    expect(
      await authenticator.authenticate(requestFrom('10.0.0.2', 'Bearer good'), response),
    ).toMatchObject({ kind: 'verified' });
    expect(
      await authenticator.authenticate(requestFrom('10.0.0.3', 'Bearer good'), response),
    ).toMatchObject({
      kind: 'verified',
    });
  });
});
