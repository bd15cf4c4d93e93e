import { applyDecorators, Injectable, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import {
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import type { Response } from 'express';
import type { Principal } from '../auth/principal';
import type { ObservabilityConfig } from './observability.config';

const STRICT_THROTTLE = 'rag:strict-throttle';
export const STRICT_THROTTLER = 'strict';
/** Marks strict operations in the OpenAPI document, which then lists that window's headers. */
export const STRICT_THROTTLE_EXTENSION = 'x-strict-throttle';

/** Puts a route (or controller) under the stricter THROTTLE_STRICT_LIMIT: chat, ingest. */
export const StrictThrottle = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(STRICT_THROTTLE, true),
    ApiExtension(STRICT_THROTTLE_EXTENSION, true),
  );

/**
 * Two windows per caller: `default` on every route, `strict` only on `@StrictThrottle()` ones.
 * Counters live in memory, so limits are per API instance.
 */
export function throttlerOptions(
  { ttlMs, limit, strictLimit }: ObservabilityConfig['throttle'],
  reflector = new Reflector(),
): ThrottlerModuleOptions {
  const isStrict = (context: ExecutionContext) =>
    reflector.getAllAndOverride<boolean>(STRICT_THROTTLE, [
      context.getHandler(),
      context.getClass(),
    ]) === true;
  return {
    throttlers: [
      { name: 'default', ttl: ttlMs, limit },
      { name: STRICT_THROTTLER, ttl: ttlMs, limit: strictLimit, skipIf: (c) => !isStrict(c) },
    ],
  };
}

/**
 * Limits each principal (the token's `sub`), falling back to the client IP on public routes.
 * Registered after the auth guard, so `req.user` is set when this runs. One budget per caller
 * across routes, and a `Retry-After` header on every 429 whichever window refused it.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const sub = (request.user as Principal | undefined)?.sub;
    return sub ? `sub:${sub}` : `ip:${await super.getTracker(request)}`;
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  /**
   * @nestjs/throttler names a refusal's header after its window (`Retry-After-strict`), which no
   * client knows; every 429 carries the standard `Retry-After` alone (set below).
   */
  protected override setResponseHeader(
    response: Record<string, unknown>,
    name: string,
    value: string | number,
  ): void {
    if (name.startsWith('Retry-After')) return;
    super.setResponseHeader(response, name, value);
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    { timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(1, Math.ceil(timeToBlockExpire));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(seconds));
    throw new ThrottlerException(`too many requests; retry after ${seconds} s`);
  }
}
