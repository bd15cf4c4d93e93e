import type { OpenAPIObject } from '@nestjs/swagger';
import type { Env } from '../config/env.schema';
import { STRICT_THROTTLE_EXTENSION, STRICT_THROTTLER } from './principal-throttler.guard';

type Header = { description: string; schema: Record<string, unknown> };
type Response = { headers?: Record<string, { $ref: string }> };

/**
 * Statuses answered before the throttler runs, so they never carry its headers: 401 and 403
 * come from the authentication guard, which runs first.
 */
const BEFORE_THROTTLER = new Set(['401', '403']);

const seconds = (ms: number): number => Math.ceil(ms / 1000);
const count = (max: number) => ({ type: 'integer', format: 'int32', minimum: 0, maximum: max });

/** The per-caller window's headers, as @nestjs/throttler names them (`-strict` for that window). */
function windowHeaders(suffix: string, limit: number, ttlMs: number): Record<string, Header> {
  const window = suffix ? 'strict window (THROTTLE_STRICT_LIMIT)' : 'window (THROTTLE_LIMIT)';
  return {
    [`X-RateLimit-Limit${suffix}`]: {
      description: `Requests allowed per caller in the ${window}`,
      schema: count(limit),
    },
    [`X-RateLimit-Remaining${suffix}`]: {
      description: `Requests left to this caller in the current ${window}`,
      schema: count(limit),
    },
    [`X-RateLimit-Reset${suffix}`]: {
      description: `Seconds until the current ${window} ends (THROTTLE_TTL_MS)`,
      schema: count(seconds(ttlMs)),
    },
  };
}

/**
 * Documents the headers every throttled answer carries: the per-caller rate-limit windows (read
 * from the same settings the throttler uses), `Retry-After` on 429, and CORS's
 * `Access-Control-Allow-Origin`. Protected operations are the throttled ones: the only public
 * routes, the health probes, skip the throttler.
 */
export function documentRateLimitHeaders(document: OpenAPIObject, env: Env): OpenAPIObject {
  // @nestjs/throttler suffixes the headers of a window other than `default` with its name.
  const strictSuffix = `-${STRICT_THROTTLER}`;
  const headers: Record<string, Header> = {
    ...windowHeaders('', env.THROTTLE_LIMIT, env.THROTTLE_TTL_MS),
    ...windowHeaders(strictSuffix, env.THROTTLE_STRICT_LIMIT, env.THROTTLE_TTL_MS),
    'Retry-After': {
      description: 'Seconds to wait before retrying',
      schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 2_147_483_647 },
    },
    'Access-Control-Allow-Origin': {
      description: "The request's origin, when CORS_ORIGINS allows it (absent otherwise)",
      schema: { type: 'string', maxLength: 2048, format: 'uri' },
    },
  };
  document.components = { ...document.components, headers };
  const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, Record<string, unknown>>)) {
      const strict = operation[STRICT_THROTTLE_EXTENSION] === true;
      delete operation[STRICT_THROTTLE_EXTENSION];
      if (!operation.security) continue;
      const names = Object.keys(headers).filter(
        (name) => name !== 'Retry-After' && (strict || !name.endsWith(strictSuffix)),
      );
      const responses = operation.responses as Record<string, Response>;
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[24]/.test(status) || BEFORE_THROTTLER.has(status)) continue;
        const sent = status === '429' ? [...names, 'Retry-After'] : names;
        // A copy: Swagger shares one response object between the operations of a controller.
        responses[status] = {
          ...response,
          headers: Object.fromEntries(sent.map((name) => [name, ref(name)])),
        };
      }
    }
  }
  return document;
}
