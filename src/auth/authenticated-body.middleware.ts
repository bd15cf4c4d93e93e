import { UnsupportedMediaTypeException } from '@nestjs/common';
import { json, type NextFunction, type Request, type Response } from 'express';
import { sendError } from '../common/all-exceptions.filter';
import { meterRequestBody } from '../common/request-body-meter';
import { RequestAuthenticator } from './request-authenticator';

type Middleware = (request: Request, response: Response, next: NextFunction) => void;

export interface BodyOptions {
  limitBytes: number;
  reviver: (key: string, value: unknown) => unknown;
}

/** Whether a request says it has a body (a chunked one, or a non-zero Content-Length). */
const carriesBody = (request: Request): boolean =>
  request.headers['transfer-encoding'] !== undefined ||
  Number(request.headers['content-length'] ?? 0) > 0;

/** A media type as sent, when it looks like one; never arbitrary header text in an answer. */
const MEDIA_TYPE = /^[\w.+-]{1,60}\/[\w.+-]{1,60}$/;

/**
 * The 415 of a body in no media type the API reads. curl's `-d` alone sends a form, and
 * `fetch` with a string sends text/plain: both would otherwise reach validation as an empty or
 * odd object and be refused for fields the client did send.
 */
function unreadableBody(request: Request): UnsupportedMediaTypeException {
  const header = request.headers['content-type'];
  const type = header?.split(';')[0].trim().toLowerCase();
  const sent =
    type === undefined || type === ''
      ? 'Content-Type is missing'
      : `Content-Type ${MEDIA_TYPE.test(type) ? type : 'as sent'} is not supported`;
  return new UnsupportedMediaTypeException(
    `request body: ${sent}; send Content-Type: application/json (multipart/form-data for file uploads)`,
  );
}

/**
 * The JSON body parser, behind authentication: a body is read only once the request's bearer
 * token has verified (RequestAuthenticator, whose answer the guard reuses). Any other request
 * goes on with its body unread: its route's guard answers 401 or 429 and the connection
 * closes, a public route ignores the body. Bytes are counted as they arrive: 413 naming
 * BODY_LIMIT_BYTES as soon as they pass it, chunked or not. An authenticated body that is
 * neither JSON nor multipart (read by its route's upload interceptor) is answered 415.
 */
export function readBodiesOfAuthenticated(
  authenticator: RequestAuthenticator,
  { limitBytes, reviver }: BodyOptions,
): Middleware {
  const parseJson = json({ limit: limitBytes, reviver });
  return (request, response, next) => {
    const isJson = Boolean(request.is('application/json'));
    const unreadable = !isJson && carriesBody(request) && !request.is('multipart/form-data');
    if (!isJson && !unreadable) {
      next();
      return;
    }
    authenticator.authenticate(request, response).then((outcome) => {
      if (outcome.kind !== 'verified') {
        next();
        return;
      }
      if (unreadable) {
        sendError(response, unreadableBody(request));
        return;
      }
      const meter = meterRequestBody(request, response, {
        maxBytes: limitBytes,
        setting: 'BODY_LIMIT_BYTES',
      });
      // Once refused, the answer is sent: whatever the parser makes of the rest goes nowhere.
      parseJson(request, response, (error?: unknown) => {
        if (!meter.refused) next(error);
      });
    }, next);
  };
}
