import {
  Global,
  Inject,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { ENV } from '../config/env';
import type { Env } from '../config/env.schema';
import { AppMetrics } from './app-metrics';
import { GracefulShutdown } from './graceful-shutdown';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { loggingParams } from './logging';
import { MetricsServer } from './metrics.server';
import { ObservabilityConfig, observabilityConfigFrom } from './observability.config';
import { OperationRecorder } from './operation-recorder';
import { PrincipalThrottlerGuard, throttlerOptions } from './principal-throttler.guard';
import { RequestTimeoutInterceptor } from './request-timeout.interceptor';
import { TelemetryRecorder } from './telemetry.recorder';

/**
 * Operations: JSON request logs, Prometheus metrics, the OperationRecorder business code reports
 * to, per-principal throttling, the request deadline and graceful shutdown. Import it after
 * AuthModule: its throttler guard needs the principal the auth guard sets.
 */
@Global()
@Module({
  imports: [
    // These modules build their options outside this module's providers, so from the env itself.
    LoggerModule.forRootAsync({
      inject: [ENV],
      useFactory: (env: Env) => {
        const { logLevel, logBuffer, logFormat } = observabilityConfigFrom(env);
        return loggingParams(logLevel, logBuffer, logFormat);
      },
    }),
    ThrottlerModule.forRootAsync({
      inject: [ENV],
      useFactory: (env: Env) => throttlerOptions(observabilityConfigFrom(env).throttle),
    }),
  ],
  providers: [
    { provide: ObservabilityConfig, useFactory: observabilityConfigFrom, inject: [ENV] },
    {
      provide: AppMetrics,
      inject: [ObservabilityConfig],
      useFactory: (config: ObservabilityConfig) =>
        config.metrics.enabled ? new AppMetrics() : null,
    },
    {
      provide: OperationRecorder,
      inject: [AppMetrics],
      useFactory: (metrics: AppMetrics | null) => new TelemetryRecorder(metrics),
    },
    MetricsServer,
    GracefulShutdown,
    { provide: APP_GUARD, useClass: PrincipalThrottlerGuard },
    { provide: APP_INTERCEPTOR, useClass: RequestTimeoutInterceptor },
  ],
  exports: [OperationRecorder, MetricsServer],
})
export class ObservabilityModule implements NestModule {
  constructor(@Inject(AppMetrics) private readonly metrics: AppMetrics | null) {}

  configure(consumer: MiddlewareConsumer): void {
    // Nest mounts this wildcard form with `app.use`, not as a route of its own.
    if (this.metrics) {
      consumer
        .apply(HttpMetricsMiddleware)
        .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
    }
  }
}
