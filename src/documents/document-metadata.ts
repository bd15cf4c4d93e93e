import { createHash } from 'node:crypto';
import { InvalidInputError } from '../common/domain-errors';
import type { Metadata } from '../vector-store/vector-store.port';
import { normalizeFileType } from './file-type';
import { METADATA_KEY } from './metadata-filter';

/** Keys the API owns on every chunk; clients may filter on them but not set them. */
export const SYSTEM_KEYS = [
  'document_id',
  'chunk_index',
  'chunk_count',
  'content_hash',
  'chunk_hash',
] as const;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface MetadataLimits {
  maxKeys: number;
  maxValueChars: number;
}

/** Checks client metadata: flat, named sanely, scalar values, within limits. */
export function validateMetadata(
  metadata: Record<string, unknown> | undefined,
  path: string,
  limits: MetadataLimits,
): Metadata {
  const entries = Object.entries(metadata ?? {});
  if (entries.length > limits.maxKeys) {
    throw new InvalidInputError(path, `has more than ${limits.maxKeys} keys`);
  }
  for (const [key, value] of entries) {
    const at = `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key) || !METADATA_KEY.test(key)) {
      throw new InvalidInputError(
        at,
        'is not a valid metadata key ([A-Za-z_][A-Za-z0-9_.-]{0,63})',
      );
    }
    if ((SYSTEM_KEYS as readonly string[]).includes(key)) {
      throw new InvalidInputError(at, 'is set by the API and cannot be given');
    }
    if (typeof value === 'string') {
      if (value.length > limits.maxValueChars) {
        throw new InvalidInputError(at, `is longer than ${limits.maxValueChars} characters`);
      }
    } else if (!(
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    )) {
      throw new InvalidInputError(at, 'must be a string, finite number or boolean');
    }
  }
  return Object.fromEntries(entries) as Metadata;
}

/** `metadata.title` if given, else the first heading, else the first line (shortened). */
export function deriveTitle(text: string, metadata: Metadata): string {
  if (typeof metadata.title === 'string' && metadata.title.trim()) return metadata.title.trim();
  const firstLine =
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? '';
  const heading = /^#{1,6}\s+(.*)$/.exec(firstLine);
  const title = (heading ? heading[1] : firstLine).trim();
  return title.length > 120 ? `${title.slice(0, 117)}...` : title;
}

/** Fills the defaults that the query fallback tiers rely on. */
export function withDefaults(id: string, text: string, metadata: Metadata): Metadata {
  const declaredType = metadata.file_type ?? metadata.doctype;
  return {
    ...metadata,
    title: deriveTitle(text, metadata),
    source: typeof metadata.source === 'string' ? metadata.source : id,
    file_type: typeof declaredType === 'string' ? normalizeFileType(declaredType) : 'txt',
  };
}

/** Hash of everything that decides the stored chunks, so an identical re-upload is a no-op. */
export function contentHash(text: string, metadata: Metadata, chunking: object): string {
  const canonical = JSON.stringify({
    text,
    metadata: Object.keys(metadata)
      .sort()
      .map((key) => [key, metadata[key]]),
    chunking,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Hash of one chunk's text (128 bits of SHA-256, base64url), stored with the chunk: whatever is
 * cached under it is that text's, so a query can take the text from its cache, never stale.
 */
export const chunkHash = (text: string): string =>
  createHash('sha256').update(text).digest().subarray(0, 16).toString('base64url');
