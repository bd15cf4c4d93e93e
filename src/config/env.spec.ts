import { ConfigValidationError, parseEnv } from './env';

describe('parseEnv', () => {
  it('applies defaults', () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.CHROMA_HOST).toBeUndefined();
    expect(env.MAX_TOP_K).toBe(100);
  });

  it('names every failing variable', () => {
    const attempt = () => parseEnv({ PORT: 'abc', CHROMA_HOST: 'not a url', MAX_TOP_K: '500' });
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
    expect(() => parseEnv({ CHUNK_SIZE: '200', CHUNK_OVERLAP: '200' })).toThrow(/CHUNK_OVERLAP/);
  });

  it('rejects a query chunk bound that would cut the chunks the API writes', () => {
    expect(() => parseEnv({ CHUNK_SIZE: '2000', QUERY_MAX_CHUNK_CHARS: '1999' })).toThrow(
      /QUERY_MAX_CHUNK_CHARS/,
    );
    expect(parseEnv({ CHUNK_SIZE: '2000', QUERY_MAX_CHUNK_CHARS: '2000' })).toMatchObject({
      QUERY_MAX_CHUNK_CHARS: 2000,
    });
  });

  it('keeps the extraction timeout inside the request deadline', () => {
    expect(() => parseEnv({ REQUEST_TIMEOUT_MS: '20000' })).toThrow(
      /INGEST_EXTRACT_TIMEOUT_MS: must be smaller than REQUEST_TIMEOUT_MS/,
    );
    expect(parseEnv({ REQUEST_TIMEOUT_MS: '20001' }).INGEST_EXTRACT_TIMEOUT_MS).toBe(20_000);
  });
});
