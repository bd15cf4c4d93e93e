import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { errorResponse } from './common/api-errors.decorator';
import { readBodiesOfAuthenticated } from './auth/authenticated-body.middleware';
import { RequestAuthenticator } from './auth/request-authenticator';
import { resolveContract } from './common/api-contract';
import { ENV } from './config/env';
import type { Env } from './config/env.schema';
import { rejectForbiddenKeys } from './common/safe-json';
import { applyConnectionLimits } from './connection-limits';
import { applyHttpHardening } from './observability/http-hardening';
import { documentRateLimitHeaders } from './observability/rate-limit-headers';
import { ServerConfig } from './server.config';

/** How tokens are checked, stated on the scheme (RFC 8725: JWT best current practices). */
const JWT_CHECKS =
  "A JWT access token (or, with AUTH_ACCEPT_ID_TOKENS, an id token) of the trusted issuer: the Cognito user pool, or the local development issuer. Verified per RFC8725 (JWT Best Current Practices): only RS256 signatures by the key its `kid` names in the issuer's JWKS are accepted (`alg: none` and HMAC are refused), `iss` must match exactly, `exp` is required and `exp`/`nbf` are checked within AUTH_CLOCK_SKEW_SECONDS, `token_use` and the app client (`client_id`, or `aud` for id tokens) must be the expected ones. Each operation lists the OAuth scope of the role it needs (AUTH_SCOPE_READ, AUTH_SCOPE_WRITE, AUTH_SCOPE_ADMIN); roles include each other (admin ⊇ write ⊇ read), and Cognito groups can grant them too (AUTH_GROUP_ROLES).";

const TAGS = {
  documents: 'Upsert, query, read and delete documents of a collection',
  chat: 'Answers grounded in the retrieved documents, with citations',
  ingest: 'Background ingest jobs from uploaded files or JSON documents',
  reindex: 'Administration: rebuild a collection with another embedder, or roll back',
  health: 'Public readiness and liveness probes',
};

/**
 * The OpenAPI document of the app's routes: served at /docs-json and written by `npm run openapi`.
 * Bounds and scopes come from `env`, the same settings the checks read, so the document states
 * what the running configuration enforces.
 */
export function createOpenApiDocument(
  app: INestApplication,
  env: Env = app.get<Env>(ENV),
): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('RAG API')
    .setDescription(
      'Retrieval-augmented generation over a durable Chroma vector store: upsert documents, query them with metadata fallback, and check health.',
    )
    .setVersion('0.1.0')
    // Relative: the API is wherever this document is served from, in every environment.
    // `x-internal: false`: the document is for the API's clients, not only its operators.
    .addServer(
      '/',
      'The server that serves this document (local, staging or production alike)',
      undefined,
      { 'x-internal': false },
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: JWT_CHECKS })
    // The global exception filter answers anything unexpected this way, on every route.
    .addGlobalResponse(errorResponse(500));
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  return documentRateLimitHeaders(resolveContract(document, env), env);
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
