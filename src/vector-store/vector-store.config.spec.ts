import { parseEnv } from '../config/env';
import { vectorStoreConfigFrom } from './vector-store.config';

describe('vectorStoreConfigFrom', () => {
  it('runs the embedded server in DATA_DIR by default', () => {
    const config = vectorStoreConfigFrom(parseEnv({}));
    expect(config.http).toBeUndefined();
    expect(config.embedded.path).toMatch(/data\/chroma$/);
  });

  it('picks the HTTP strategy when CHROMA_HOST is set', () => {
    const config = vectorStoreConfigFrom(parseEnv({ CHROMA_HOST: 'http://chroma:8000' }));
    expect(config.http?.url).toBe('http://chroma:8000');
  });
});
