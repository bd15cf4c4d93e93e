import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Role } from '../common/roles';

export const REQUIRED_ROLE = 'auth:required-role';
/** The same role in the OpenAPI document, where resolveContract turns it into its scope. */
export const REQUIRED_ROLE_EXTENSION = 'x-required-role';

/** Routes without it still need `read`, so a new route is never open by accident. */
export const DEFAULT_ROLE: Role = 'read';

/** The least role a caller must hold (admin ⊇ write ⊇ read); method overrides controller. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(REQUIRED_ROLE, role), ApiExtension(REQUIRED_ROLE_EXTENSION, role));
