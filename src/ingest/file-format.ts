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
const EXTENSIONS: Record<string, FileType> = {
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
const isFileType = (value: string): value is FileType =>
  (FILE_TYPES as readonly string[]).includes(value);

/**
 * The format of an upload: content first (a renamed PDF is still a PDF), then the extension,
 * then the MIME type; text without either is plain text. Undefined when unsupported.
 */
export function detectFileType(name: string, mime: string, bytes: Buffer): FileType | undefined {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) {
    // A DOCX is a zip whose directory names word/document.xml; other zips (xlsx, jar) are not.
    return bytes.includes('word/document.xml') ? 'docx' : undefined;
  }
  const byExtension = EXTENSIONS[extname(name).toLowerCase()];
  if (byExtension) return byExtension;
  const byMime = mime ? normalizeFileType(mime) : '';
  if (isFileType(byMime)) return byMime;
  const head = bytes.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'html';
  return extname(name) === '' || mime.startsWith('text/') ? 'txt' : undefined;
}

/**
 * A document id from the path the client sent: forward slashes, no `.` segments, `%` and `#`
 * percent-escaped (`#` separates chunk numbers; escaping `%` too keeps distinct names distinct).
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
  return segments.join('/').replace(/%/g, '%25').replace(/#/g, '%23');
}
