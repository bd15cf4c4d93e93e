import { EmbedderCatalog, gloveOptionsFromModel } from './embedder-catalog';
import { Embedder, type EmbedderFingerprint } from './embedder.port';
import { DEFAULT_GLOVE_FEATURES, GloveEmbedder } from './glove.embedder';
import type { GloveVectors } from './glove-vectors';

const noVectors = (): Promise<GloveVectors> => Promise.reject(new Error('not loaded in specs'));
const glove = (lexicalDimensions: number) =>
  new GloveEmbedder(noVectors, { ...DEFAULT_GLOVE_FEATURES, lexicalDimensions });

class FixedEmbedder extends Embedder {
  constructor(readonly fingerprint: EmbedderFingerprint) {
    super();
  }
  ready = () => Promise.resolve();
  embedDocuments = () => Promise.resolve([]);
  embedQuery = () => Promise.resolve([]);
}

describe('gloveOptionsFromModel', () => {
  it('reads back the options a local model string was made with', () => {
    for (const options of [
      DEFAULT_GLOVE_FEATURES,
      { idf: false, titlePrefix: true, lexicalWeight: 0.7, lexicalDimensions: 4096 },
      // Collections made before the vocabulary was limited name no `+top`: all words.
      {
        vocabulary: undefined,
        idf: true,
        titlePrefix: true,
        lexicalWeight: 0.6,
        lexicalDimensions: 1024,
      },
      { idf: true, titlePrefix: false, lexicalWeight: 0, lexicalDimensions: 0 },
    ]) {
      const model = new GloveEmbedder(noVectors, options).fingerprint.model;
      const parsed = gloveOptionsFromModel(model);
      expect(new GloveEmbedder(noVectors, parsed).fingerprint.model).toBe(model);
    }
  });

  it('refuses other models', () => {
    expect(gloveOptionsFromModel('text-embedding-3-small')).toBeUndefined();
  });
});

describe('EmbedderCatalog', () => {
  const configured = new FixedEmbedder(glove(512).fingerprint);
  const catalog = new EmbedderCatalog(
    configured,
    (options) => new GloveEmbedder(noVectors, options),
  );

  it('returns the configured embedder for its own fingerprint', async () => {
    expect(await catalog.forFingerprint(configured.fingerprint)).toBe(configured);
  });

  it('builds (once) a local embedder of another lexical size', async () => {
    const old = glove(1024).fingerprint;
    const first = await catalog.forFingerprint(old);
    expect(first?.fingerprint).toEqual(old);
    expect(await catalog.forFingerprint(old)).toBe(first);
  });

  it('has nothing for a remote model, or a local one of another scheme version', async () => {
    const remote = new EmbedderCatalog(
      new FixedEmbedder({ provider: 'openai', model: 'a', dimension: 8 }),
      () => glove(1024),
    );
    expect(
      await remote.forFingerprint({ provider: 'openai', model: 'b', dimension: 8 }),
    ).toBeUndefined();
    const future = { ...glove(1024).fingerprint };
    future.model = future.model.replace(/-v\d+$/, '-v99');
    expect(await catalog.forFingerprint(future)).toBeUndefined();
  });
});
