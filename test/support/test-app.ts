import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import { tokenFromArgs } from '../../src/cli/token';
import { configureApp, createOpenApiDocument } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
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
 * Boots the real AppModule with the given environment, through the same setup as main.ts.
 * The environment is applied before the config is read and restored afterwards.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'rag-e2e-'));
  const applied: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    MODELS_DIR: TEST_MODELS_DIR,
    ...env,
    DATA_DIR: dataDir,
  };
  const saved = Object.fromEntries(Object.keys(applied).map((key) => [key, process.env[key]]));
  const restore = () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  for (const [key, value] of Object.entries(applied)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'] });
    // Mounted first, so it sees every response the app sends, errors included.
    const responses = new ResponseValidator(createOpenApiDocument(app));
    app.use(responses.middleware);
    configureApp(app, app.get(AppConfig));
    await app.init();
    return {
      app,
      dataDir,
      responses,
      bearer: (args = ['--scope', 'rag/admin']) =>
        `Bearer ${tokenFromArgs(args, app.get(AppConfig))}`,
      close: async ({ keepData = false } = {}) => {
        await app.close();
        if (!keepData && !env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
        responses.assertValid();
      },
    };
  } finally {
    restore();
  }
}
