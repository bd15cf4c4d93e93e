import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { Principal } from './principal';
import { REQUIRED_ROLE } from './require-role.decorator';

const collectionIn = (source: unknown): string | undefined => {
  const value = (source as { collection?: unknown } | undefined)?.collection;
  return typeof value === 'string' ? value : undefined;
};

/**
 * One audit line per write (routes requiring `write` or `admin`): who, what, which collection
 * and the outcome. JSON-encoded so claim values cannot forge log lines; never the token.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const role = this.reflector.getAllAndOverride<string>(REQUIRED_ROLE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (role === 'write' || role === 'admin') {
      const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
      const response = context.switchToHttp().getResponse<Response>();
      // On finish the status is final, whether the handler or the exception filter answered.
      response.once('finish', () =>
        this.logger.log(
          JSON.stringify({
            sub: request.user?.sub,
            username: request.user?.username,
            action: `${request.method} ${(request.route as { path?: string } | undefined)?.path ?? request.path}`,
            collection: collectionIn(request.body) ?? collectionIn(request.query),
            status: response.statusCode,
          }),
        ),
      );
    }
    return next.handle();
  }
}
