import {
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Response } from 'express';
import { COGNITO_JWT } from './cognito-jwt.strategy';
import { principalOf } from './current-user.decorator';
import type { Role } from '../common/roles';
import { hasRole, type Principal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { DEFAULT_ROLE, REQUIRED_ROLE } from './require-role.decorator';
import { JwksUnavailableError } from './signing-keys.provider';

/**
 * Global guard: every route needs a valid token and at least `read`, unless `@Public()`.
 * 401/403 bodies stay generic; why a token was refused goes to the debug log only.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(COGNITO_JWT) {
  private readonly logger = new Logger('Auth');

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await (super.canActivate(context) as Promise<boolean>);
    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? DEFAULT_ROLE;
    const principal = principalOf(context.switchToHttp().getRequest<{ user?: unknown }>());
    if (!hasRole(principal, required)) {
      this.logger.debug(
        `403 for sub=${principal.sub}: needs ${required}, has [${principal.roles.join(', ')}]`,
      );
      throw new ForbiddenException();
    }
    return true;
  }

  override handleRequest<T = Principal>(
    error: unknown,
    user: T | false,
    info: unknown,
    context: ExecutionContext,
  ): T {
    if (user) return user;
    const reason = error ?? info;
    if (reason instanceof JwksUnavailableError) {
      // The filter logs this once with the cause and answers 503 + Retry-After, no details.
      throw new ServiceUnavailableException(reason.message, { cause: reason });
    }
    this.logger.debug(`401: ${reason instanceof Error ? reason.message : String(reason)}`);
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException();
  }
}
