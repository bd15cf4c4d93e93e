import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from './env.schema';

/** `KEY=value` lines of .env.example, commented out (`# KEY=value`) or not. */
const documented = (): Map<string, string> =>
  new Map(
    readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8')
      .split('\n')
      .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], match[2].trim()]),
  );

/** How a parsed default reads back in env form: lists comma-joined, empty maps empty. */
const shownAs = (value: unknown): string => {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) {
    return Object.keys(value).length ? JSON.stringify(value) : '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
};

describe('.env.example', () => {
  it('documents exactly the variables the config reads', () => {
    expect([...documented().keys()].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('shows each variable with its real default', () => {
    const defaults = envSchema.parse({ DEFAULT_COLLECTION: 'docs' }) as Record<string, unknown>;
    for (const [key, shown] of documented()) {
      const value = defaults[key];
      const expected = shownAs(value);
      expect([key, shown]).toEqual([key, expected]);
    }
  });
});
