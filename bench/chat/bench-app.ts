import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { authConfigFrom } from '../../src/auth/auth.config';
import { tokenFromArgs } from '../../src/cli/token';
import { readEnv } from '../../src/config/env';
import type { Env } from '../../src/config/env.schema';

export const ROOT = join(__dirname, '..', '..');

export interface BenchApp {
  env: Env;
  /** POSTs JSON as an admin. */
  post: (path: string, body: unknown) => Promise<Response>;
  close: () => Promise<void>;
}

/**
 * The whole API in this process on a loopback port, over a temporary DATA_DIR where it
 * supervises its own Chroma (the embedded strategy), extractive chat, throttling out of the way;
 * `overrides` are further environment variables.
 */
export async function startBenchApp(
  prefix: string,
  overrides: Record<string, string> = {},
): Promise<BenchApp> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    MODELS_DIR: join(ROOT, 'node_modules', '.cache', 'rag-test-models'),
    LOG_LEVEL: 'warn',
    LLM_PROVIDER: 'extractive',
    SWAGGER_ENABLED: 'false',
    // One principal sends every request; the per-principal throttle would answer 429.
    THROTTLE_LIMIT: '100000000',
    THROTTLE_STRICT_LIMIT: '100000000',
    ...overrides,
  });
  delete process.env.CHROMA_HOST;
  const env = readEnv();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const headers = {
    authorization: `Bearer ${tokenFromArgs(['--scope', 'rag/admin'], authConfigFrom(env))}`,
    'content-type': 'application/json',
  };
  return {
    env,
    post: (path, body) =>
      fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
