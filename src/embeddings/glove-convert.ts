/**
 * Child-process entry point: converts the wink GloVe JSON into the compact matrix file.
 * Runs outside the API process so the ~1 GB parsed JSON never lands on the API's heap.
 * Usage: node glove-convert.js <source.json> <target.bin>
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { encodeGlove, type GloveMatrix } from './glove-format';

interface WinkEmbeddings {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

export function convertWinkJson(sourcePath: string, targetPath: string): void {
  const wink = JSON.parse(readFileSync(sourcePath, 'utf8')) as WinkEmbeddings;
  const { dimensions, words } = wink;
  const vectors = new Float32Array(words.length * dimensions);
  words.forEach((word, row) => {
    const values = wink.vectors[word];
    for (let d = 0; d < dimensions; d++) vectors[row * dimensions + d] = values[d];
  });
  const matrix: GloveMatrix = { words, dimensions, vectors };
  // Write then rename: rename is atomic, so a racing process sees either nothing or the whole file.
  const temp = `${targetPath}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, encodeGlove(matrix));
    renameSync(temp, targetPath);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file may never have been created.
    }
    throw error;
  }
}

if (require.main === module) {
  const [sourcePath, targetPath] = process.argv.slice(2);
  if (!sourcePath || !targetPath) {
    process.stderr.write('usage: glove-convert <source.json> <target.bin>\n');
    process.exit(2);
  }
  convertWinkJson(sourcePath, targetPath);
}
