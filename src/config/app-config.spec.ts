import { AppConfig, ConfigValidationError } from './app-config';

describe('AppConfig', () => {
  it('applies defaults', () => {
    const config = AppConfig.fromEnv({});
    expect(config.port).toBe(3000);
    expect(config.chroma.http).toBeUndefined();
    expect(config.chroma.embedded.path).toMatch(/data\/chroma$/);
    expect(config.documents.maxTopK).toBe(100);
  });

  it('picks the HTTP strategy when CHROMA_HOST is set', () => {
    const config = AppConfig.fromEnv({ CHROMA_HOST: 'http://chroma:8000' });
    expect(config.chroma.http?.url).toBe('http://chroma:8000');
  });

  it('names every failing variable', () => {
    const attempt = () =>
      AppConfig.fromEnv({ PORT: 'abc', CHROMA_HOST: 'not a url', MAX_TOP_K: '500' });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('CHROMA_HOST');
      expect(message).toContain('MAX_TOP_K');
    }
  });

  it('rejects an overlap that is not smaller than the chunk size', () => {
    expect(() => AppConfig.fromEnv({ CHUNK_SIZE: '200', CHUNK_OVERLAP: '200' })).toThrow(
      /CHUNK_OVERLAP/,
    );
  });
});
