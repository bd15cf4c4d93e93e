import { ArgumentsHost, Catch, ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Terminus reports "not ready" by throwing a 503 whose payload is the health result. Load
 * balancers and operators need that payload (which indicator failed), so this route keeps it
 * instead of the generic error body the global filter would write.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckErrorFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(503).json(exception.getResponse());
  }
}
