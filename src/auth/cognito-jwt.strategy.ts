import { Injectable, Logger } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthConfig } from './auth.config';
import { principalFromClaims, type Principal } from './principal';
import { SigningKeys } from './signing-keys.provider';

export const COGNITO_JWT = 'cognito-jwt';

/**
 * A token that failed a check: `message` (with the values seen) is logged at debug; the client
 * gets `clientMessage`, which names the check without echoing claims.
 */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';

  constructor(
    message: string,
    readonly clientMessage: string,
  ) {
    super(message);
  }
}

/** What a header that is not RS256 with a key id says to the client. */
const headerProblem = (alg: unknown): string =>
  alg === undefined
    ? 'malformed token'
    : alg !== 'RS256'
      ? 'token algorithm must be RS256'
      : 'token header has no key id (kid)';

const decodeHeader = (token: string): { alg?: unknown; kid?: unknown } => {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as object;
  } catch {
    return {};
  }
};

/**
 * Verifies tokens as Cognito specifies: RS256 signature by a key from the issuer's JWKS,
 * exact `iss`, `exp`/`nbf` within the clock skew, `token_use`, and the app client. The local
 * development issuer goes through exactly the same checks.
 */
@Injectable()
export class CognitoJwtStrategy extends PassportStrategy(Strategy, COGNITO_JWT) {
  private readonly auth: AuthConfig;

  constructor(auth: AuthConfig, keys: SigningKeys) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['RS256'],
      issuer: auth.trusted.issuer,
      jsonWebTokenOptions: { clockTolerance: auth.clockSkewSeconds },
      secretOrKeyProvider: (
        _request: Request,
        token: string,
        done: (error: Error | null, key?: string) => void,
      ) => {
        // Checked before any key lookup, so forged headers cost no JWKS traffic.
        const { alg, kid } = decodeHeader(token);
        if (alg !== 'RS256' || typeof kid !== 'string') {
          done(
            new TokenRejectedError(
              `header alg=${String(alg)} kid=${String(kid)}`,
              headerProblem(alg),
            ),
          );
          return;
        }
        keys.publicKey(kid).then(
          // jsonwebtoken takes a KeyObject as is; passport-jwt's types only name strings.
          (key) => done(null, key as unknown as string),
          (error: Error) => done(error),
        );
      },
    });
    this.auth = auth;
    new Logger('Auth').log(
      `Trusting tokens from ${auth.trusted.kind} issuer ${auth.trusted.issuer} (keys: ${keys.source}; clients: ${auth.clientIds.join(', ')})`,
    );
  }

  /** Runs after the signature, issuer and lifetime checks passed. */
  validate(claims: Record<string, unknown>): Principal {
    const { sub, token_use: use, exp } = claims;
    if (typeof sub !== 'string' || sub === '')
      throw new TokenRejectedError('no sub', 'token has no subject (sub)');
    // jsonwebtoken accepts a token without exp; Cognito always sets one, so its absence is forged.
    if (typeof exp !== 'number')
      throw new TokenRejectedError('no exp', 'token has no expiry (exp)');
    let clientId: unknown;
    if (use === 'access') {
      clientId = claims.client_id;
    } else if (use === 'id' && this.auth.acceptIdTokens) {
      clientId = claims.aud;
    } else {
      throw new TokenRejectedError(
        `token_use=${String(use)}`,
        `token_use must be ${this.auth.acceptIdTokens ? 'access or id' : 'access'}`,
      );
    }
    if (typeof clientId !== 'string' || !this.auth.clientIds.includes(clientId)) {
      throw new TokenRejectedError(
        `client ${String(clientId)} not allowed`,
        'token issued to an app client this API does not allow',
      );
    }
    return principalFromClaims({ ...claims, sub, token_use: use, clientId }, this.auth.policy);
  }
}
