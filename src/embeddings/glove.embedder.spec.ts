import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingProviderError } from '../common/domain-errors';
import { fingerprintToString } from './embedder.port';
import { encodeGlove, GLOVE_FILE_NAME, readGlove } from './glove-format';
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
      'local/glove-sg-100d+top100000+idf+title+lex1024w0.6-v1/1124',
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

  it('gives vectors only to the vocabulary, whatever the loader returned', async () => {
    const options = { idf: true, titlePrefix: false, lexicalWeight: 0, lexicalDimensions: 0 };
    // 'cat' is rank 2: out of a 2-word vocabulary, so its text has no dense part at all.
    const small = new GloveEmbedder(() => Promise.resolve(vectors), { ...options, vocabulary: 2 });
    const all = new GloveEmbedder(() => Promise.resolve(vectors), options);
    expect(small.fingerprint.model).toBe('glove-sg-100d+top2+idf-v1');
    expect(norm(await small.embedQuery('cat'))).toBe(0);
    expect(norm(await all.embedQuery('cat'))).toBeCloseTo(1, 6);
    expect(await small.embedQuery('the a')).toEqual(await all.embedQuery('the a'));
  });

  it('loads only the vocabulary from the compact file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glove-vocab-'));
    try {
      const matrix = new Float32Array(WORDS.length * DIMS).map((_, i) => i);
      writeFileSync(
        join(dir, GLOVE_FILE_NAME),
        encodeGlove({ words: WORDS, dimensions: DIMS, vectors: matrix }),
      );
      const loaded = await GloveVectors.load(dir, { maxWords: 3 });
      expect(loaded.words).toEqual(WORDS.slice(0, 3));
      expect(Array.from(loaded.row(2))).toEqual(Array.from(matrix.subarray(2 * DIMS, 3 * DIMS)));
      expect((await GloveVectors.load(dir)).size).toBe(WORDS.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
  it('round-trips words and vectors, and refuses other files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glove-format-'));
    try {
      const matrix = {
        words: ['héllo', 'world'],
        dimensions: 2,
        vectors: new Float32Array([1, 2, 3, 4]),
      };
      writeFileSync(join(dir, 'm.bin'), encodeGlove(matrix));
      const read = await readGlove(join(dir, 'm.bin'));
      expect(read.words).toEqual(matrix.words);
      expect(Array.from(read.vectors)).toEqual([1, 2, 3, 4]);
      writeFileSync(join(dir, 'bad.bin'), 'nope, not a matrix');
      await expect(readGlove(join(dir, 'bad.bin'))).rejects.toThrow(/magic/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
        GloveVectors.load(modelsDir, { sourceJson: source }),
        GloveVectors.load(modelsDir, { sourceJson: source }),
      ]);
      expect(first.rank('y')).toBe(1);
      expect(second.row(1)[0]).toBeCloseTo(2);
      expect(readdirSync(modelsDir)).toEqual([GLOVE_FILE_NAME]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('kills a conversion once its signal aborts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glove-abort-'));
    try {
      // A FIFO nobody writes to: the converter's read blocks until it is killed.
      const source = join(dir, 'never-written.json');
      execFileSync('mkfifo', [source]);
      const modelsDir = join(dir, 'models');
      const shutdown = new AbortController();
      const loading = GloveVectors.load(modelsDir, { sourceJson: source, signal: shutdown.signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      shutdown.abort(new Error('shutting down'));
      await expect(loading).rejects.toThrow('shutting down');
      expect(readdirSync(modelsDir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 10_000);
});
