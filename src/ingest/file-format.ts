import { extname } from 'node:path';
import { normalizeFileType } from '../documents/file-type';

/** The formats ingest extracts; the same spelling goes into every chunk's `file_type`. */
export const FILE_TYPES = ['txt', 'md', 'html', 'pdf', 'docx'] as const;
export type FileType = (typeof FILE_TYPES)[number];

/** A file the job reports as failed, with the reason, instead of aborting the job. */
export class FileRejectedError extends Error {}

/** A file with nothing to index (no bytes, or no text): the job reports it as skipped. */
export class NothingToIndexError extends FileRejectedError {}

/** A file whose content inflates past INGEST_MAX_DECOMPRESSED_BYTES: a decompression bomb. */
export class DecompressionLimitError extends FileRejectedError {
  constructor(maxBytes: number) {
    super(`inflates to more than ${maxBytes} bytes (INGEST_MAX_DECOMPRESSED_BYTES)`);
  }
}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
/** Formats refused by their first bytes whatever the name says, as the refusal names them. */
const BINARY_SIGNATURES: [magic: Buffer, format: string][] = [
  ['\x89PNG', 'PNG image'],
  ['\xff\xd8\xff', 'JPEG image'],
  ['GIF87a', 'GIF image'],
  ['GIF89a', 'GIF image'],
  ['\x7fELF', 'ELF executable'],
  ['\x1f\x8b', 'gzip archive'],
  ['BZh', 'bzip2 archive'],
  ['\xfd7zXZ\x00', 'xz archive'],
  ['7z\xbc\xaf\x27\x1c', '7-Zip archive'],
  ['\x28\xb5\x2f\xfd', 'zstd archive'],
  ['Rar!\x1a\x07', 'RAR archive'],
  ['\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', 'legacy Office document'],
  ['\x00asm', 'WebAssembly module'],
].map(([magic, format]) => [Buffer.from(magic, 'latin1'), format]);
const TEXT_EXTENSIONS: Record<string, FileType> = {
  '.txt': 'txt',
  '.text': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
  '.docx': 'docx',
};
/** Names that promise a binary format (even when its first bytes are cut off or unknown). */
const BINARY_EXTENSIONS = new Set(
  (
    '.png .jpg .jpeg .gif .bmp .webp .ico .tif .tiff .heic .zip .gz .tgz .bz2 .xz .zst .7z ' +
    '.rar .tar .jar .exe .dll .so .o .a .class .wasm .mp3 .mp4 .m4a .wav .ogg .flac .avi .mov ' +
    '.mkv .webm .woff .woff2 .ttf .otf .doc .xls .xlsx .ppt .pptx .odt .ods .odp .sqlite .db'
  ).split(' '),
);
const BINARY_MIME = /^(image|audio|video|font)\//;
const isFileType = (value: string): value is FileType =>
  (FILE_TYPES as readonly string[]).includes(value);
const unsupported = (format: string) =>
  new FileRejectedError(`unsupported file type: binary content (${format})`);

/**
 * The format of an upload: known binary signatures first (a renamed PDF is still a PDF, a
 * renamed PNG still refused), then the extension, then the MIME type; anything else is taken
 * as plain text, which decoding then checks by content (`Apache-2.0` is a licence, not a
 * `.0` file). Throws FileRejectedError naming a format that is not supported.
 */
export function detectFileType(name: string, mime: string, bytes: Buffer): FileType {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) {
    // A DOCX is a zip whose directory names word/document.xml; other zips (xlsx, jar) are not.
    if (bytes.includes('word/document.xml')) return 'docx';
    throw unsupported('zip archive without a Word document');
  }
  const signature = BINARY_SIGNATURES.find(([magic]) =>
    bytes.subarray(0, magic.length).equals(magic),
  );
  if (signature) throw unsupported(signature[1]);
  const extension = extname(name).toLowerCase();
  const byExtension = TEXT_EXTENSIONS[extension];
  if (byExtension) return byExtension;
  if (BINARY_EXTENSIONS.has(extension)) throw unsupported(`${extension} file`);
  const byMime = mime ? normalizeFileType(mime) : '';
  if (isFileType(byMime)) return byMime;
  if (BINARY_MIME.test(mime)) throw unsupported(mime.split(';')[0]);
  const head = bytes.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'html';
  return 'txt';
}

/**
 * A document id from the path the client sent: forward slashes, no `.` segments, `%`, `#` and
 * `~` percent-escaped (`#` separates chunk numbers, `~` part numbers; escaping `%` too keeps
 * distinct names distinct).
 * Absolute paths and `..` are refused: the id must name the file inside the uploaded folder.
 */
export function documentIdFromPath(path: string): string {
  if (/[\p{Cc}\p{Cf}]/u.test(path)) {
    throw new FileRejectedError('file name contains control or invisible format characters');
  }
  const normalized = path.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[a-z]:/i.test(normalized)) {
    throw new FileRejectedError('file name must be a relative path');
  }
  const segments = normalized.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new FileRejectedError('file name must not contain ..');
  if (segments.length === 0 || segments.some((segment) => segment.trim() === '')) {
    throw new FileRejectedError('file name is empty or only whitespace');
  }
  return segments.join('/').replace(/%/g, '%25').replace(/#/g, '%23').replace(/~/g, '%7E');
}
