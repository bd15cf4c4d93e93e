import { json, urlencoded, type NextFunction, type Request, type Response } from 'express';
import { meterRequestBody } from '../common/request-body-meter';
import { RequestAuthenticator } from './request-authenticator';

type Middleware = (request: Request, response: Response, next: NextFunction) => void;

export interface BodyOptions {
  limitBytes: number;
  reviver: (key: string, value: unknown) => unknown;
}

/**
 * The JSON (and form) body parser, behind authentication: a body is read only once the
 * request's bearer token has verified (RequestAuthenticator, whose answer the guard reuses).
 * Any other request goes on with its body unread: its route's guard answers 401 or 429 and
 * the connection closes, a public route ignores the body. Bytes are counted as they arrive:
 * 413 naming BODY_LIMIT_BYTES as soon as they pass it, chunked or not.
 */
export function readBodiesOfAuthenticated(
  authenticator: RequestAuthenticator,
  { limitBytes, reviver }: BodyOptions,
): Middleware {
  const parseJson = json({ limit: limitBytes, reviver });
  // Nest's default form parser, kept as it was.
  const parseForm = urlencoded({ extended: true });
  return (request, response, next) => {
    const parse = request.is('application/json')
      ? parseJson
      : request.is('application/x-www-form-urlencoded')
        ? parseForm
        : undefined;
    if (!parse) {
      next();
      return;
    }
    authenticator.authenticate(request, response).then((outcome) => {
      if (outcome.kind !== 'verified') {
        next();
        return;
      }
      const meter = meterRequestBody(request, response, {
        maxBytes: limitBytes,
        setting: 'BODY_LIMIT_BYTES',
      });
      // Once refused, the answer is sent: whatever the parser makes of the rest goes nowhere.
      parse(request, response, (error?: unknown) => {
        if (!meter.refused) next(error);
      });
    }, next);
  };
}
