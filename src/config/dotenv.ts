import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv as parseDotEnv } from 'node:util';

/** The file `.env.example` tells people to copy; read from the folder the process starts in. */
export const DOTENV_FILE = '.env';

/**
 * The variables of `file` (when it exists) under those of `environment`: a variable set in the
 * real environment always wins over the file, as with every dotenv loader. An empty value in
 * the file means unset (the default), as `.env.example` shows it, so a plain copy boots.
 */
export function withDotEnv(
  environment: Record<string, string | undefined>,
  file = resolve(DOTENV_FILE),
): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return environment;
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const fromFile = parseDotEnv(text) as Record<string, string>;
  const merged: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(fromFile).filter(([, value]) => value !== ''),
  );
  for (const [key, value] of Object.entries(environment)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}
