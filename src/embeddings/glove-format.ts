/**
 * Compact on-disk form of the wink GloVe vectors: a 16-byte header, the words (UTF-8, one per
 * line, in frequency order so a word's row is its frequency rank), padding to 4 bytes, then a
 * row-major Float32 matrix. Loading it is one file read instead of parsing 300 MB of JSON.
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

export function decodeGlove(file: Buffer): GloveMatrix {
  if (file.length < GLOVE_HEADER_BYTES || file.readUInt32LE(0) !== GLOVE_MAGIC) {
    throw new Error('not a GloVe matrix file (bad magic)');
  }
  const dimensions = file.readUInt32LE(4);
  const count = file.readUInt32LE(8);
  const wordByteLength = file.readUInt32LE(12);
  const matrixOffset = GLOVE_HEADER_BYTES + Math.ceil(wordByteLength / 4) * 4;
  if (file.length !== matrixOffset + count * dimensions * 4) {
    throw new Error('GloVe matrix file is truncated');
  }
  const words = file
    .toString('utf8', GLOVE_HEADER_BYTES, GLOVE_HEADER_BYTES + wordByteLength)
    .split('\n');
  if (words.length !== count) throw new Error('GloVe matrix file word count mismatch');
  const start = file.byteOffset + matrixOffset;
  // Zero-copy view when aligned (large file reads are); pooled small Buffers may not be.
  const vectors =
    start % 4 === 0
      ? new Float32Array(file.buffer, start, count * dimensions)
      : new Float32Array(new Uint8Array(file.subarray(matrixOffset)).buffer);
  return { words, dimensions, vectors };
}
