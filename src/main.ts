// First: the tracing SDK must patch `http` before Express and Nest load it.
import './observability/tracing';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { configureApp } from './app.setup';
import { MetricsServer } from './observability/metrics.server';

async function bootstrap(): Promise<void> {
  // Validate configuration before anything starts, so a bad variable stops boot with its name.
  const config = AppConfig.fromEnv();
  // Boot logs wait for pino, so every line the process writes is JSON.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  configureApp(app, config);
  // SIGTERM: stop accepting, let in-flight requests finish, then stop the embedded Chroma.
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  await app.get(MetricsServer).listen();
  logger.log(`API listening on http://${config.host}:${config.port}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
