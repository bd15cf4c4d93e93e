import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { configureApp, logLevelsFrom } from './app.setup';

async function bootstrap(): Promise<void> {
  // Validate configuration before anything starts, so a bad variable stops boot with its name.
  const config = AppConfig.fromEnv();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: logLevelsFrom(config.logLevel),
  });
  configureApp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  Logger.log(`API listening on http://${config.host}:${config.port}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
