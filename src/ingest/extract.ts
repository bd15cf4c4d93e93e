import { basename } from 'node:path';
import type { Metadata } from '../vector-store/vector-store.port';
import {
  detectFileType,
  documentIdFromPath,
  FileRejectedError,
  type FileType,
} from './file-format';
import { docxText } from './docx-text';
import { htmlToText } from './html-text';
import { decodeText } from './text-decoding';
import type { ExtractLimits } from './extract-worker';
import { pdfPageTexts } from './pdf-text';

/** A document ready for DocumentsService.upsert. */
export interface ExtractedDocument {
  id: string;
  text: string;
  metadata: Metadata;
}

export interface ExtractedFile {
  /** The document id of the file (its pages' ids start with it). */
  id: string;
  type: FileType;
  documents: ExtractedDocument[];
  /** For PDFs: the page count, so pages a shorter new version lost can be deleted. */
  pages?: number;
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
 * Turns one upload into documents: one per file, or one per page with text for a PDF.
 * Throws FileRejectedError (unsafe name, unsupported, corrupt, no text, over a limit) for the
 * job to report; when `limits.signal` aborts, its reason.
 */
export async function extractFile(
  file: UploadedFile,
  limits: ExtractLimits,
): Promise<ExtractedFile> {
  limits.signal?.throwIfAborted();
  const id = documentIdFromPath(file.name);
  const type = detectFileType(file.name, file.mime, file.bytes);
  const metadata: Metadata = { file_type: type, source: id };
  const one = (text: string, extra: Metadata = {}): ExtractedFile => {
    if (text.trim() === '') throw new FileRejectedError('no text to index');
    // Here rather than when the job stores it: before the text is planned into chunks.
    if (Buffer.byteLength(text) > limits.maxTextBytes) {
      throw new FileRejectedError(
        `has more than ${limits.maxTextBytes} bytes of text (MAX_TEXT_BYTES)`,
      );
    }
    return { id, type, documents: [{ id, text, metadata: { ...metadata, ...extra } }] };
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
      const documents = pages.flatMap((text, i) =>
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
      if (documents.length === 0) throw new FileRejectedError('PDF has no text layer');
      return { id, type, documents, pages: pages.length };
    }
  }
}
