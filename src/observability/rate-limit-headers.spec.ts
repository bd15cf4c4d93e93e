import type { OpenAPIObject } from '@nestjs/swagger';
import { parseEnv } from '../config/env';
import { STRICT_THROTTLE_EXTENSION } from './principal-throttler.guard';
import { documentRateLimitHeaders } from './rate-limit-headers';

const env = parseEnv({ THROTTLE_LIMIT: '50', THROTTLE_STRICT_LIMIT: '5', THROTTLE_TTL_MS: '1500' });
const shared = { description: 'shared by both operations' };

function document(): OpenAPIObject {
  const answer = (status: string) => ({ description: status });
  const responses = () =>
    Object.fromEntries(['200', '401', '403', '429', '500'].map((s) => [s, answer(s)]));
  return documentRateLimitHeaders(
    {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/read': {
          get: { security: [{ bearer: [] }], responses: { ...responses(), '400': shared } },
        },
        '/chat': {
          post: {
            security: [{ bearer: [] }],
            // What @StrictThrottle() leaves on an operation (not an OperationObject field).
            ...({ [STRICT_THROTTLE_EXTENSION]: true } as object),
            responses: { ...responses(), '400': shared },
          },
        },
        '/health': { get: { responses: { '200': answer('200') } } },
      },
    },
    env,
  );
}

const headersOf = (doc: OpenAPIObject, path: string, method: 'get' | 'post', status: string) =>
  Object.keys(
    (doc.paths[path][method]?.responses[status] as { headers?: object }).headers ?? {},
  ).sort();

describe('documentRateLimitHeaders', () => {
  const doc = document();

  it('lists the window headers on throttled answers, Retry-After on 429, none before the throttler', () => {
    const window = [
      'Access-Control-Allow-Origin',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ];
    expect(headersOf(doc, '/read', 'get', '200')).toEqual(window);
    expect(headersOf(doc, '/read', 'get', '429')).toEqual([...window, 'Retry-After'].sort());
    for (const status of ['401', '403', '500']) {
      expect(headersOf(doc, '/read', 'get', status)).toEqual([]);
    }
    expect(headersOf(doc, '/health', 'get', '200')).toEqual([]);
  });

  it("adds the strict window's headers to strict operations only, even when they share a response", () => {
    expect(headersOf(doc, '/chat', 'post', '400')).toContain('X-RateLimit-Limit-strict');
    expect(headersOf(doc, '/read', 'get', '400')).not.toContain('X-RateLimit-Limit-strict');
    expect(doc.paths['/chat'].post).not.toHaveProperty(STRICT_THROTTLE_EXTENSION);
  });

  it('bounds the header values by the throttle settings', () => {
    const headers = doc.components?.headers as Record<string, { schema: { maximum: number } }>;
    expect(headers['X-RateLimit-Limit'].schema.maximum).toBe(50);
    expect(headers['X-RateLimit-Remaining-strict'].schema.maximum).toBe(5);
    expect(headers['X-RateLimit-Reset'].schema.maximum).toBe(2);
  });
});
