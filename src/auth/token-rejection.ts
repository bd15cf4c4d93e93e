import type { Role } from '../common/roles';
import { TokenRejectedError } from './cognito-jwt.strategy';
import { UnknownSigningKeyError } from './signing-keys.provider';

/** The realm named in every challenge (RFC 6750 §3). */
export const AUTH_REALM = 'rag-api';

/** Why a request was refused, in words safe to send: no key, claim value or expected issuer. */
export interface Rejection {
  /** The client's message and the challenge's error_description. */
  description: string;
  /** No bearer token at all: a challenge without an error code (RFC 6750 §3.1). */
  missingCredentials: boolean;
}

const invalid = (description: string): Rejection => ({ description, missingCredentials: false });

/** jsonwebtoken's verdicts (by error name and message) in the words a client can act on. */
function fromVerifier(error: Error): string | undefined {
  if (error.name === 'TokenExpiredError') return 'token expired';
  if (error.name === 'NotBeforeError') return 'token not yet valid (nbf)';
  if (error.message === 'invalid signature') return 'token signature invalid';
  if (error.message.startsWith('jwt issuer invalid')) return 'token issuer mismatch';
  if (error.message.startsWith('jwt audience invalid')) return 'token audience mismatch';
  return undefined;
}

/**
 * What to tell a client whose token was refused. `authorization` is the request's header (the
 * strategy only says "No auth token" whether it is absent or of another scheme); `localIssuer`
 * adds the usual cause of an unknown key in development: a token minted for another DATA_DIR.
 */
export function describeRejection(
  reason: unknown,
  authorization: string | undefined,
  localIssuer: boolean,
): Rejection {
  if (authorization === undefined || authorization.trim() === '') {
    return { description: 'missing bearer token', missingCredentials: true };
  }
  if (!/^bearer\s/i.test(authorization)) {
    return {
      description: "missing Bearer scheme: send 'Authorization: Bearer <token>'",
      missingCredentials: true,
    };
  }
  if (reason instanceof UnknownSigningKeyError) {
    return invalid(
      localIssuer
        ? 'unknown key id (kid): the token was signed by another local issuer (minted with another DATA_DIR?)'
        : 'unknown key id (kid): the token was not signed by a key of the trusted issuer',
    );
  }
  if (reason instanceof TokenRejectedError) return invalid(reason.clientMessage);
  if (reason instanceof Error) {
    const known = fromVerifier(reason);
    if (known) return invalid(known);
  }
  return invalid('malformed token');
}

/** RFC 6750 challenge for a refused token (401). */
export const bearerChallenge = (rejection: Rejection): string =>
  rejection.missingCredentials
    ? `Bearer realm="${AUTH_REALM}"`
    : `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${rejection.description}"`;

/** RFC 6750 challenge and message for a token lacking the role a route needs (403). */
export function insufficientScope(
  required: Role,
  scope: string,
  granted: readonly Role[],
): { challenge: string; message: string } {
  const message = `requires the ${scope} scope (role ${required}); the token grants ${
    granted.length ? `the roles ${granted.join(', ')}` : 'no role'
  }`;
  return {
    message,
    challenge: `Bearer realm="${AUTH_REALM}", error="insufficient_scope", error_description="${message}", scope="${scope}"`,
  };
}
