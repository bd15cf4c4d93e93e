import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingProviderError } from '../common/domain-errors';
import { fingerprintToString } from './embedder.port';
import { decodeGlove, encodeGlove, GLOVE_FILE_NAME } from './glove-format';
import { GloveVectors } from './glove-vectors';
import { GloveEmbedder } from './glove.embedder';

const DIMS = 100;
const WORDS = ['the', 'a', 'cat', 'dog', 'file', 'watch', 'cache'];

/** Tiny vocabulary: each word is a one-hot axis, so cosines are easy to reason about. */
function tinyVectors(): GloveVectors {
  const matrix = new Float32Array(WORDS.length * DIMS);
  WORDS.forEach((_, i) => (matrix[i * DIMS + i] = 1));
  return GloveVectors.fromMatrix(WORDS, DIMS, matrix);
}

const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

describe('GloveEmbedder', () => {
  const vectors = tinyVectors();

  it('names its feature scheme in the fingerprint', () => {
    const embedder = new GloveEmbedder(() => Promise.resolve(vectors));
    expect(fingerprintToString(embedder.fingerprint)).toBe(
      'local/glove-sg-100d+idf+title+lex1024w0.6-v1/1124',
    );
    const plain = new GloveEmbedder(() => Promise.resolve(vectors), {
      idf: false,
      titlePrefix: false,
      lexicalWeight: 0,
      lexicalDimensions: 0,
    });
    expect(plain.fingerprint).toEqual({
      provider: 'local',
      model: 'glove-sg-100d-v1',
      dimension: 100,
    });
  });

  it('returns unit vectors of the fingerprint dimension', async () => {
    const embedder = new GloveEmbedder(() => Promise.resolve(vectors));
    const [vector] = await embedder.embedDocuments(['The cat watches files']);
    expect(vector).toHaveLength(embedder.fingerprint.dimension);
    expect(norm(vector)).toBeCloseTo(1, 6);
  });

  it('ranks the passage sharing rare words above one sharing only stop words', async () => {
    const embedder = new GloveEmbedder(() => Promise.resolve(vectors));
    const [catDoc, theDoc] = await embedder.embedDocuments(['the cat', 'the the dog']);
    const query = await embedder.embedQuery('a cat');
    expect(dot(query, catDoc)).toBeGreaterThan(dot(query, theDoc));
  });

  it('embeds the title with the passage, and matches out-of-vocabulary words lexically', async () => {
    const embedder = new GloveEmbedder(() => Promise.resolve(vectors));
    const [withTitle, without] = await embedder
      .embedDocuments(['watch files'], ['chokidar'])
      .then(async ([titled]) => [titled, (await embedder.embedDocuments(['watch files']))[0]]);
    const query = await embedder.embedQuery('chokidar');
    expect(dot(query, withTitle)).toBeGreaterThan(0.2);
    expect(dot(query, without)).toBeCloseTo(0, 6);
  });

  it('reports a failed load as EmbeddingProviderError and tries again next time', async () => {
    const load = jest.fn().mockRejectedValueOnce(new Error('disk')).mockResolvedValueOnce(vectors);
    const embedder = new GloveEmbedder(load);
    await expect(embedder.ready()).rejects.toBeInstanceOf(EmbeddingProviderError);
    await expect(embedder.ready()).resolves.toBeUndefined();
  });
});

describe('GloVe matrix file', () => {
  it('round-trips words and vectors', () => {
    const matrix = {
      words: ['héllo', 'world'],
      dimensions: 2,
      vectors: new Float32Array([1, 2, 3, 4]),
    };
    const decoded = decodeGlove(encodeGlove(matrix));
    expect(decoded.words).toEqual(matrix.words);
    expect(Array.from(decoded.vectors)).toEqual([1, 2, 3, 4]);
    expect(() => decodeGlove(Buffer.from('nope, not a matrix'))).toThrow(/magic/);
  });

  it('converts the wink JSON in a child process, once, leaving no temp files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'embed-glove-'));
    try {
      const source = join(dir, 'wink.json');
      const vector = (seed: number) => [
        ...Array.from({ length: DIMS }, (_, d) => seed + d / 1000),
        1,
        0,
      ];
      writeFileSync(
        source,
        JSON.stringify({
          dimensions: DIMS,
          words: ['x', 'y'],
          vectors: { x: vector(1), y: vector(2) },
        }),
      );
      const modelsDir = join(dir, 'models');
      const [first, second] = await Promise.all([
        GloveVectors.load(modelsDir, source),
        GloveVectors.load(modelsDir, source),
      ]);
      expect(first.rank('y')).toBe(1);
      expect(second.row(1)[0]).toBeCloseTo(2);
      expect(readdirSync(modelsDir)).toEqual([GLOVE_FILE_NAME]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
