// First: the tracing SDK must patch `http` before Express and Nest load it.
import './observability/tracing';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { readEnv } from './config/env';
import { MetricsServer } from './observability/metrics.server';
import { ServerConfig } from './server.config';

async function bootstrap(): Promise<void> {
  // Validate configuration before anything starts, so a bad variable stops boot with its name.
  readEnv();
  // Boot logs wait for pino, so every line the process writes is JSON.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  configureApp(app);
  // SIGTERM: stop accepting, let in-flight requests finish, then stop the embedded Chroma.
  app.enableShutdownHooks();
  const { port, host } = app.get(ServerConfig);
  await app.listen(port, host);
  await app.get(MetricsServer).listen();
  logger.log(`API listening on http://${host}:${port}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
