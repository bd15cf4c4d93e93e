import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiErrorDto } from '../common/api-error.dto';

/** Swagger for a protected controller: the bearer scheme and the 401/403 bodies. */
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
  );
