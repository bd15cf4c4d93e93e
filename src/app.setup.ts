import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ApiErrorDto } from './common/api-error.dto';
import { readBodiesOfAuthenticated } from './auth/authenticated-body.middleware';
import { RequestAuthenticator } from './auth/request-authenticator';
import { rejectForbiddenKeys } from './common/safe-json';
import { applyConnectionLimits } from './connection-limits';
import { applyHttpHardening } from './observability/http-hardening';
import { ServerConfig } from './server.config';

/** The OpenAPI document of the app's routes: served at /docs-json and written by `npm run openapi`. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('RAG API')
      .setDescription(
        'Retrieval-augmented generation over a durable Chroma vector store: upsert documents, query them with metadata fallback, and check health.',
      )
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      // The global exception filter answers anything unexpected this way, on every route.
      .addGlobalResponse({
        status: 500,
        type: ApiErrorDto,
        description: 'Unexpected error; the body carries no internals',
      })
      .build(),
  );
}

/**
 * Everything about the HTTP app that is not a provider: connection limits, security headers,
 * CORS, body parsing (after authentication) and Swagger. The app must be created with
 * `bodyParser: false`, or Nest would add parsers that read bodies before authentication. Shared by main.ts and the e2e tests so both serve the same API. Guards, pipes,
 * filters, interceptors and middleware are providers (AppModule and its imports).
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get(ServerConfig);
  applyConnectionLimits(app.getHttpServer(), config.connections);
  applyHttpHardening(app, config);
  // Answers are fresh per request (queries, job states); hashing every body for an ETag that no
  // client revalidates with costs CPU on each response.
  app.set('etag', false);
  // The app is created with `bodyParser: false`: bodies are read only after authentication.
  app.use(
    readBodiesOfAuthenticated(app.get(RequestAuthenticator), {
      limitBytes: config.bodyLimitBytes,
      reviver: rejectForbiddenKeys,
    }),
  );
  if (config.swaggerEnabled) {
    SwaggerModule.setup('docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  }
}
