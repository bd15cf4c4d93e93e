import { open } from 'node:fs/promises';

/**
 * Compact on-disk form of the wink GloVe vectors: a 16-byte header, the words (UTF-8, one per
 * line, in frequency order so a word's row is its frequency rank), padding to 4 bytes, then a
 * row-major Float32 matrix. Loading it is a few file reads instead of parsing 300 MB of JSON.
 */
export const GLOVE_MAGIC = 0x31564c47; // "GLV1" little-endian; bump with the layout.
export const GLOVE_HEADER_BYTES = 16;
export const GLOVE_FILE_NAME = 'glove-sg-100d.v1.bin';

export interface GloveMatrix {
  words: string[];
  dimensions: number;
  /** `words.length * dimensions` floats; row i belongs to words[i]. */
  vectors: Float32Array;
}

export function encodeGlove(matrix: GloveMatrix): Buffer {
  const wordBytes = Buffer.from(matrix.words.join('\n'), 'utf8');
  const padded = Math.ceil(wordBytes.length / 4) * 4;
  const out = Buffer.alloc(GLOVE_HEADER_BYTES + padded + matrix.vectors.byteLength);
  out.writeUInt32LE(GLOVE_MAGIC, 0);
  out.writeUInt32LE(matrix.dimensions, 4);
  out.writeUInt32LE(matrix.words.length, 8);
  out.writeUInt32LE(wordBytes.length, 12);
  wordBytes.copy(out, GLOVE_HEADER_BYTES);
  Buffer.from(matrix.vectors.buffer, matrix.vectors.byteOffset, matrix.vectors.byteLength).copy(
    out,
    GLOVE_HEADER_BYTES + padded,
  );
  return out;
}

/**
 * Reads the `maxWords` most frequent words and their rows (all when absent) without reading
 * the rest of the file: the API keeps only what its vocabulary needs in memory.
 */
export async function readGlove(path: string, maxWords?: number): Promise<GloveMatrix> {
  const file = await open(path, 'r');
  try {
    const read = async (length: number, position: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      if (bytesRead !== length) throw new Error('GloVe matrix file is truncated');
      return buffer;
    };
    const header = await read(GLOVE_HEADER_BYTES, 0);
    if (header.readUInt32LE(0) !== GLOVE_MAGIC) {
      throw new Error('not a GloVe matrix file (bad magic)');
    }
    const dimensions = header.readUInt32LE(4);
    const count = header.readUInt32LE(8);
    const wordByteLength = header.readUInt32LE(12);
    const words = (await read(wordByteLength, GLOVE_HEADER_BYTES)).toString('utf8').split('\n');
    if (words.length !== count) throw new Error('GloVe matrix file word count mismatch');
    const kept = Math.min(count, maxWords ?? count);
    const matrixOffset = GLOVE_HEADER_BYTES + Math.ceil(wordByteLength / 4) * 4;
    const { size } = await file.stat();
    if (size !== matrixOffset + count * dimensions * 4) {
      throw new Error('GloVe matrix file is truncated');
    }
    const rows = await read(kept * dimensions * 4, matrixOffset);
    return {
      words: words.slice(0, kept),
      dimensions,
      vectors: new Float32Array(rows.buffer, rows.byteOffset, kept * dimensions),
    };
  } finally {
    await file.close();
  }
}
