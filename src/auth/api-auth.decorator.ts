import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiErrorDto } from '../common/api-error.dto';

/**
 * Swagger for a protected controller: the bearer scheme, the 401/403 bodies and the 429 of the
 * per-principal throttle (which runs after authentication, on every protected route).
 */
export const ApiAuth = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      type: ApiErrorDto,
      description: 'Missing, invalid or expired token',
    }),
    ApiForbiddenResponse({
      type: ApiErrorDto,
      description: 'The token lacks the role (scope or group) this route requires',
    }),
    ApiTooManyRequestsResponse({
      type: ApiErrorDto,
      description: 'Too many requests from this caller; `Retry-After` says when to retry',
    }),
  );
