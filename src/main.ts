// First: the tracing SDK must patch `http` before Express and Nest load it.
import './observability/tracing';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { explainListenError } from './common/port-in-use';
import { readEnv } from './config/env';
import { AppLogger } from './observability/app-logger';
import { flushLogs } from './observability/logging';
import { MetricsServer } from './observability/metrics.server';
import { readyLine } from './ready-line';
import { ServerConfig } from './server.config';

async function bootstrap(): Promise<void> {
  // Validate configuration before anything starts, so a bad variable stops boot with its name.
  readEnv();
  // Boot logs wait for pino, so every line the process writes has the configured format.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
    // A failed start reaches the catch below (flush, one line, exit 1), not process.abort().
    abortOnError: false,
  });
  const logger = new AppLogger(app.get(Logger));
  app.useLogger(logger);
  configureApp(app);
  const { port, host, swaggerEnabled } = app.get(ServerConfig);
  await app.listen(port, host).catch((error: unknown) => {
    throw explainListenError(error, port, 'PORT');
  });
  const metrics = app.get(MetricsServer);
  await metrics.listen();
  stopOnSignals(app, logger);
  logger.log(readyLine({ host, port, swaggerEnabled, metrics: metrics.boundTo }), 'Bootstrap');
}

/**
 * SIGTERM (the orchestrator) and SIGINT (Ctrl-C): stop accepting, let in-flight requests
 * finish, stop the embedded Chroma, say so, then exit. A second signal ends the process at once.
 */
function stopOnSignals(app: NestExpressApplication, logger: AppLogger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: shutting down`, 'Bootstrap');
      app
        .close()
        .then(() => {
          logger.log('stopped', 'Bootstrap');
          return flushLogs();
        })
        .then(() => process.exit(0), fail);
    });
  }
}

/** Writes out the logs buffered so far, then the cause as one line on stderr, and exits 1. */
function fail(error: unknown): void {
  // Nest's own buffer (a failure before the app logger was set) goes to the console.
  NestLogger.flush();
  void flushLogs().then(() => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

bootstrap().catch(fail);
