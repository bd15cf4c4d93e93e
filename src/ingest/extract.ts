import { parse } from 'node-html-parser';
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

/** Elements that are page furniture rather than content. */
const BOILERPLATE = 'script, style, noscript, template, nav, header, footer, aside, form';

/** Page documents are `<file id>/page-<n>`: every chunk keeps the page it came from. */
export const pageDocumentId = (fileId: string, page: number): string => `${fileId}/page-${page}`;

function utf8(bytes: Buffer): string {
  // NUL is valid UTF-8 but never in text: an executable or image without a known format.
  if (bytes.includes(0)) throw new FileRejectedError('binary content, not UTF-8 text');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new FileRejectedError('not valid UTF-8 text');
  }
}

/** Visible text of a page, headings as Markdown so the chunker starts sections at them. */
export function htmlToText(html: string): { title?: string; text: string } {
  const root = parse(html, { comment: false });
  const title = root.querySelector('title')?.text.trim();
  for (const element of root.querySelectorAll(BOILERPLATE)) element.remove();
  for (const heading of root.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = Number(heading.tagName.slice(1));
    heading.set_content(`${'#'.repeat(level)} ${heading.text.replace(/\s+/g, ' ').trim()}`);
  }
  const body = root.querySelector('main') ?? root.querySelector('body') ?? root;
  // Blank lines between blocks: they are the chunker's paragraph boundaries.
  const text = body.structuredText
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join('\n\n');
  return { title: title || undefined, text };
}

/**
 * Turns one upload into documents: one per file, or one per page with text for a PDF.
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
  if (!type) throw new FileRejectedError('unsupported file type');
  const metadata: Metadata = { file_type: type, source: id };
  const one = (text: string, extra: Metadata = {}): ExtractedFile => {
    if (text.trim() === '') throw new NothingToIndexError('no text to index');
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
      return one(utf8(file.bytes));
    case 'html': {
      const { title, text } = htmlToText(utf8(file.bytes));
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
