import {
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { TooManyRequestsError } from '../common/domain-errors';
import type { Role } from '../common/roles';
import { AuthConfig } from './auth.config';
import { hasRole, type Principal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { RequestAuthenticator, type AuthOutcome } from './request-authenticator';
import { DEFAULT_ROLE, REQUIRED_ROLE } from './require-role.decorator';
import { JwksUnavailableError } from './signing-keys.provider';
import { bearerChallenge, describeRejection, insufficientScope } from './token-rejection';

/**
 * Global guard: every route needs a valid token and at least `read`, unless `@Public()`.
 * 401 and 403 name the failed check (RFC 6750 challenge and message) without echoing the
 * token's claims or our keys; the details seen go to the debug log. A token already verified
 * before its body was read (see readBodiesOfAuthenticated) is not verified again.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
    private readonly auth: AuthConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { user?: Principal }>();
    const response = http.getResponse<Response>();
    const principal = this.principalFrom(
      await this.authenticator.authenticate(request, response),
      request,
      response,
    );
    request.user = principal;
    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? DEFAULT_ROLE;
    if (!hasRole(principal, required)) {
      this.logger.debug(
        `403 for sub=${principal.sub}: needs ${required}, has [${principal.roles.join(', ')}]`,
      );
      const { message, challenge } = insufficientScope(
        required,
        this.auth.policy.scopes[required],
        principal.roles,
      );
      response.setHeader('WWW-Authenticate', challenge);
      throw new ForbiddenException(message);
    }
    return true;
  }

  private principalFrom(outcome: AuthOutcome, request: Request, response: Response): Principal {
    if (outcome.kind === 'verified') return outcome.principal;
    if (outcome.kind === 'throttled') {
      throw new TooManyRequestsError(
        `too many failed authentications; retry after ${outcome.retryAfterSeconds} s`,
        outcome.retryAfterSeconds,
      );
    }
    const { reason } = outcome;
    if (reason instanceof JwksUnavailableError) {
      // The filter logs this once with the cause and answers 503 + Retry-After, no details.
      throw new ServiceUnavailableException(reason.message, { cause: reason });
    }
    const rejection = describeRejection(
      reason,
      request.headers.authorization,
      this.auth.trusted.kind === 'local',
    );
    this.logger.debug(
      `401 (${rejection.description}): ${reason instanceof Error ? reason.message : String(reason)}`,
    );
    this.authenticator.recordFailure(request);
    response.setHeader('WWW-Authenticate', bearerChallenge(rejection));
    throw new UnauthorizedException(rejection.description);
  }
}
