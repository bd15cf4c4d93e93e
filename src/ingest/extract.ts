import { basename } from 'node:path';
import type { Metadata } from '../vector-store/vector-store.port';
import {
  detectFileType,
  documentIdFromPath,
  FileRejectedError,
  NothingToIndexError,
  type FileType,
} from './file-format';
import { docxText } from './docx-text';
import { htmlToText } from './html-text';
import { decodeText } from './text-decoding';
import { FileTextLimitError, type ExtractLimits } from './extract-worker';
import { pdfPageTexts } from './pdf-text';
import { splitIntoParts } from './text-parts';

/** A document ready for DocumentsService.upsert. */
export interface ExtractedDocument {
  id: string;
  text: string;
  metadata: Metadata;
}

/** A text (a file's, a PDF page's) stored as `parts` documents: later parts are stale. */
export interface PartedText {
  id: string;
  parts: number;
}

export interface ExtractedFile {
  /** The document id of the file (its pages' ids start with it). */
  id: string;
  type: FileType;
  documents: ExtractedDocument[];
  /** For PDFs: the page count, so pages a shorter new version lost can be deleted. */
  pages?: number;
  /** Every text of the file with its part count, so parts a shorter version lost can be deleted. */
  parted: PartedText[];
}

export interface UploadedFile {
  /** The client's relative path. */
  name: string;
  mime: string;
  bytes: Buffer;
}

/** Page documents are `<file id>/page-<n>`: every chunk keeps the page it came from. */
export const pageDocumentId = (fileId: string, page: number): string => `${fileId}/page-${page}`;

/**
 * Part 1 of a text keeps the text's id (a text that fits keeps the id it always had); part n
 * is `<id>~part-<n>`. File ids never contain `~` (documentIdFromPath escapes it).
 */
export const partDocumentId = (id: string, part: number): string =>
  part === 1 ? id : `${id}~part-${part}`;

/**
 * A text as documents of at most MAX_TEXT_BYTES each, cut at paragraph, line or sentence
 * boundaries; parts carry `part` and `parts` metadata (a text that fits carries neither).
 */
function inParts(
  { id, text, metadata }: ExtractedDocument,
  maxTextBytes: number,
): ExtractedDocument[] {
  const parts = splitIntoParts(text, maxTextBytes);
  if (parts.length === 1) return [{ id, text, metadata }];
  return parts.map((part, i) => ({
    id: partDocumentId(id, i + 1),
    text: part,
    metadata: { ...metadata, part: i + 1, parts: parts.length },
  }));
}

/**
 * Turns one upload into documents: one per file, or one per page with text for a PDF, each
 * in parts when longer than MAX_TEXT_BYTES.
 * Throws FileRejectedError (unsafe name, unsupported, corrupt, over a limit) for the job to
 * report, NothingToIndexError (empty) for it to skip; when `limits.signal` aborts, its reason.
 */
export async function extractFile(
  file: UploadedFile,
  limits: ExtractLimits,
): Promise<ExtractedFile> {
  limits.signal?.throwIfAborted();
  const id = documentIdFromPath(file.name);
  if (file.bytes.length === 0) throw new NothingToIndexError('empty file');
  const type = detectFileType(file.name, file.mime, file.bytes);
  const metadata: Metadata = { file_type: type, source: id };
  const one = (text: string, extra: Metadata = {}): ExtractedFile => {
    if (text.trim() === '') throw new NothingToIndexError('no text to index');
    // Here rather than when the job stores it: before the text is planned into chunks.
    if (Buffer.byteLength(text) > limits.maxFileTextBytes) throw new FileTextLimitError(limits);
    const documents = inParts(
      { id, text, metadata: { ...metadata, ...extra } },
      limits.maxTextBytes,
    );
    return { id, type, documents, parted: [{ id, parts: documents.length }] };
  };
  switch (type) {
    case 'txt':
    case 'md':
      return one(decodeText(file.bytes, { mime: file.mime }));
    case 'html': {
      const { title, text } = htmlToText(decodeText(file.bytes, { mime: file.mime, html: true }));
      return one(text, title ? { title } : {});
    }
    case 'docx':
      return one(await docxText(file.bytes, limits));
    case 'pdf': {
      const pages = await pdfPageTexts(file.bytes, limits);
      // Every page shares the file's title: page 7's first line is no title for the chunks.
      const title = basename(id).replace(/\.pdf$/i, '');
      const texts = pages.flatMap((text, i) =>
        text.trim() === ''
          ? []
          : [
              {
                id: pageDocumentId(id, i + 1),
                text,
                metadata: { ...metadata, title, page: i + 1, pages: pages.length },
              },
            ],
      );
      if (texts.length === 0) throw new FileRejectedError('PDF has no text layer');
      const parted: PartedText[] = [];
      const documents = texts.flatMap((page) => {
        const parts = inParts(page, limits.maxTextBytes);
        parted.push({ id: page.id, parts: parts.length });
        return parts;
      });
      return { id, type, documents, pages: pages.length, parted };
    }
  }
}
