import { resolve } from 'node:path';
import { withDotEnv } from './dotenv';
import { envSchema, type Env } from './env.schema';

/** Injection token of the validated environment; each module builds its config slice from it. */
export const ENV = Symbol('ENV');

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates the given variables at once; throws a message naming every failing variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigValidationError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/**
 * The process environment over `.env` (when present), validated: the only place that reads
 * `process.env`.
 */
export const readEnv = (): Env => parseEnv(withDotEnv(process.env));

/** A folder under DATA_DIR, unless its own variable names another place. */
export const dataPath = (env: Env, name: string, override?: string): string =>
  resolve(override ?? resolve(env.DATA_DIR, name));
