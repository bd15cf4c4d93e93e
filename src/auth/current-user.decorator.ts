import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal';

/** The request's verified caller, as set by the guard. */
export const principalOf = (request: { user?: unknown }): Principal => {
  if (!request.user) throw new Error('no principal on the request: is the route @Public()?');
  return request.user as Principal;
};

/** Injects the verified caller (`Principal`) into a handler parameter. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    principalOf(context.switchToHttp().getRequest<{ user?: unknown }>()),
);
