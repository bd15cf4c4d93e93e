import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDotEnv } from './dotenv';
import { parseEnv } from './env';

describe('withDotEnv', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rag-dotenv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (text: string) => {
    const path = join(dir, '.env');
    writeFileSync(path, text);
    return path;
  };

  it('reads the variables of the file, comments and quotes as dotenv has them', () => {
    const env = withDotEnv(
      {},
      file('# a comment\nPORT=4123\nDATA_DIR="./my data"\nCHROMA_HOST=\n'),
    );
    expect(env).toEqual({ PORT: '4123', DATA_DIR: './my data' });
    expect(parseEnv(env).PORT).toBe(4123);
  });

  it('lets a variable of the real environment win over the file', () => {
    const env = withDotEnv({ PORT: '5000', HOME: '/root' }, file('PORT=4123\nLOG_LEVEL=debug\n'));
    expect(env).toEqual({ PORT: '5000', HOME: '/root', LOG_LEVEL: 'debug' });
  });

  it('keeps the environment as it is without a file', () => {
    const environment = { PORT: '5000' };
    expect(withDotEnv(environment, join(dir, '.env'))).toBe(environment);
  });

  it('leaves a bad value to the one validation, which names the variable', () => {
    expect(() => parseEnv(withDotEnv({}, file('PORT=abc\n')))).toThrow(/PORT/);
  });

  it('reads a copy of .env.example as the defaults', () => {
    const example = join(__dirname, '..', '..', '.env.example');
    const env = parseEnv(withDotEnv({ DEFAULT_COLLECTION: 'docs' }, example));
    expect(env).toEqual(parseEnv({ DEFAULT_COLLECTION: 'docs' }));
  });
});
