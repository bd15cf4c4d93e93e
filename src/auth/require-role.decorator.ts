import { SetMetadata } from '@nestjs/common';
import type { Role } from '../common/roles';

export const REQUIRED_ROLE = 'auth:required-role';

/** Routes without it still need `read`, so a new route is never open by accident. */
export const DEFAULT_ROLE: Role = 'read';

/** The least role a caller must hold (admin ⊇ write ⊇ read); method overrides controller. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLE, role);
