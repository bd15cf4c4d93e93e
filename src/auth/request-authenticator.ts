import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { ExtractJwt } from 'passport-jwt';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { COGNITO_JWT } from './cognito-jwt.strategy';
import type { Principal } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

/** What became of a request's bearer token; the guard turns it into a principal or an error. */
export type AuthOutcome =
  | { kind: 'verified'; principal: Principal }
  | { kind: 'refused'; reason: unknown }
  /** Refused, and its address already failed AUTH_FAILURE_LIMIT times this window. */
  | { kind: 'throttled'; retryAfterSeconds: number };

/** The address failures are counted by: Express's `req.ip`, so TRUST_PROXY decides, as for throttling. */
const clientAddress = (request: Request): string =>
  request.ip ?? request.socket.remoteAddress ?? 'unknown';

/** The same extraction as the strategy's, so the cache is keyed by the token it verifies. */
const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Verifies a request's bearer token with the Cognito strategy, at most once per request: the
 * body middleware asks before reading a body, the guard asks again and gets the same answer.
 * A refused token from an address over AUTH_FAILURE_LIMIT becomes a 429. Valid tokens from that
 * address still pass: many clients share one address behind a NAT, and one of them guessing
 * must not lock the others out (verifying a signature is cheap; reading bodies was the cost).
 * A token verified before (VerifiedTokenCache, AUTH_TOKEN_CACHE_ENTRIES) skips the strategy.
 */
@Injectable()
export class RequestAuthenticator {
  private readonly outcomes = new WeakMap<Request, Promise<AuthOutcome>>();

  constructor(
    private readonly failures: AuthFailureLimiter,
    private readonly verified: VerifiedTokenCache,
  ) {}

  authenticate(request: Request, response: Response): Promise<AuthOutcome> {
    let outcome = this.outcomes.get(request);
    if (!outcome) {
      outcome = this.verify(request, response);
      this.outcomes.set(request, outcome);
    }
    return outcome;
  }

  /** Counts a 401 against the request's address. */
  recordFailure(request: Request): void {
    this.failures.recordFailure(clientAddress(request));
  }

  private async verify(request: Request, response: Response): Promise<AuthOutcome> {
    const token = bearerToken(request);
    const known = token ? await this.verified.principalOf(token) : undefined;
    if (known) return { kind: 'verified', principal: known };
    const outcome = await this.runStrategy(request, response);
    if (outcome.kind === 'verified') {
      if (token) await this.verified.remember(token, outcome.principal);
      return outcome;
    }
    const retryAfterSeconds = this.failures.retryAfterSeconds(clientAddress(request));
    return retryAfterSeconds > 0 ? { kind: 'throttled', retryAfterSeconds } : outcome;
  }

  private runStrategy(request: Request, response: Response): Promise<AuthOutcome> {
    return new Promise((resolve, reject) => {
      const authenticate = passport.authenticate(
        COGNITO_JWT,
        { session: false },
        (error: unknown, user: Principal | false, info: unknown) =>
          resolve(
            user
              ? { kind: 'verified', principal: user }
              : { kind: 'refused', reason: error ?? info },
          ),
      ) as (request: Request, response: Response, next: (error?: unknown) => void) => void;
      authenticate(request, response, reject);
    });
  }
}
