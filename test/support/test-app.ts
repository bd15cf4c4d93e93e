import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import { tokenFromArgs } from '../../src/cli/token';
import { configureApp, createOpenApiDocument } from '../../src/app.setup';
import { authConfigFrom } from '../../src/auth/auth.config';
import { ENV, parseEnv } from '../../src/config/env';
import { ResponseValidator } from './response-validator';

/** Converted word vectors are shared by every test app, so only the first boot converts. */
export const TEST_MODELS_DIR = join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'rag-test-models',
);

export interface TestApp {
  app: INestApplication;
  dataDir: string;
  /** An `Authorization` header value from the app's local issuer (`npm run token` arguments). */
  bearer(args?: string[]): string;
  /** Checks every response against the OpenAPI document; `close()` fails on any violation. */
  responses: ResponseValidator;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** The shared Chroma server started by the e2e global setup. */
export const sharedChromaUrl = (): string => {
  const url = process.env.TEST_CHROMA_URL;
  if (!url)
    throw new Error('TEST_CHROMA_URL is not set: run e2e tests through test/jest-e2e.config.js');
  return url;
};

/**
 * Boots the real AppModule with the given variables as its whole environment (defaults aside),
 * through the same setup as main.ts; `process.env` is neither read nor changed.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'rag-e2e-'));
  const validated = parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    MODELS_DIR: TEST_MODELS_DIR,
    ...env,
    DATA_DIR: dataDir,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(ENV)
    .useValue(validated)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    logger: ['error'],
    bodyParser: false,
  });
  // Mounted first, so it sees every response the app sends, errors included.
  const responses = new ResponseValidator(createOpenApiDocument(app));
  app.use(responses.middleware);
  configureApp(app);
  await app.init();
  const auth = authConfigFrom(validated);
  return {
    app,
    dataDir,
    responses,
    bearer: (args = ['--scope', 'rag/admin']) => `Bearer ${tokenFromArgs(args, auth)}`,
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (!keepData && !env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
      responses.assertValid();
    },
  };
}
