import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';

/**
 * Swagger for a protected controller: the bearer scheme, the 401/403 bodies and the 429 of the
 * per-principal throttle (which runs after authentication, on every protected route).
 */
export const ApiAuth = (): ClassDecorator & MethodDecorator =>
  applyDecorators(ApiBearerAuth(), ApiErrors(401, 403, 429));
