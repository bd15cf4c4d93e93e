import type { LogLevel } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { rejectForbiddenKeys } from './common/safe-json';
import type { AppConfig } from './config/app-config';

const LOG_LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

export const logLevelsFrom = (level: LogLevel): LogLevel[] =>
  LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);

/**
 * Everything about the HTTP app that is not a provider: body limits and Swagger. Shared by
 * main.ts and the e2e tests so both serve the same API. Guards, pipes and filters are
 * providers in AppModule.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useBodyParser('json', { limit: config.bodyLimitBytes, reviver: rejectForbiddenKeys });
  if (config.swaggerEnabled) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('RAG API')
        .setDescription(
          'Retrieval-augmented generation over a durable Chroma vector store: upsert documents, query them with metadata fallback, and check health.',
        )
        .setVersion('0.1.0')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
}
