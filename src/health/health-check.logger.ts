import { Injectable, Logger, type LoggerService } from '@nestjs/common';

/**
 * Terminus's logger. A failed check is answered 503 and retried by whoever probes (a warm-up,
 * a dependency away for a moment): a warning naming the failing indicator, not an error.
 */
@Injectable()
export class HealthCheckLogger implements LoggerService {
  private readonly logger = new Logger('Health');

  log(message: unknown): void {
    this.logger.log(message);
  }

  error(message: unknown): void {
    this.logger.warn(message);
  }

  warn(message: unknown): void {
    this.logger.warn(message);
  }
}
