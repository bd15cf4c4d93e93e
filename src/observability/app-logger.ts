import type { LoggerService } from '@nestjs/common';

/**
 * Nest's own start-up narration (a line per module, controller and route: 30 and more). Kept
 * at debug, so the default level shows what a person acts on: the ready line, warnings, errors.
 */
const NEST_BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** The app's logger (nestjs-pino's) with Nest's boot narration demoted to debug. */
export class AppLogger implements LoggerService {
  constructor(
    private readonly inner: Required<Pick<LoggerService, 'debug' | 'verbose'>> & LoggerService,
  ) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (typeof context === 'string' && NEST_BOOT_CONTEXTS.has(context)) {
      this.inner.debug(message, ...params);
      return;
    }
    this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...params);
  }
}
