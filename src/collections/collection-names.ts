import { COLLECTION_NAME, COLLECTION_NAME_RULE } from '../common/collection-name';
import { InvalidInputError } from '../common/domain-errors';

/** Names clients may not use: the system's own collections, and physical generations. */
export const SYSTEM_PREFIX = 'rag-system-';
export const GENERATION_SEPARATOR = '__';

/** The system collection holding one kind of record (the registry, ingest jobs). */
export const systemCollection = (kind: string): string => `${SYSTEM_PREFIX}${kind}`;

export const isReservedName = (name: string): boolean =>
  name.startsWith(SYSTEM_PREFIX) || name.includes(GENERATION_SEPARATOR);

/** Throws a 400 naming `collection` unless clients may use this name. */
export function checkLogicalName(name: string): void {
  if (!COLLECTION_NAME.test(name)) {
    throw new InvalidInputError('collection', `must be ${COLLECTION_NAME_RULE}`);
  }
  if (isReservedName(name)) {
    throw new InvalidInputError(
      'collection',
      `must not start with ${SYSTEM_PREFIX} or contain ${GENERATION_SEPARATOR}`,
    );
  }
}

/** Generation 0 is the legacy collection named like the logical one. */
export const physicalName = (logical: string, generation: number): string =>
  generation === 0 ? logical : `${logical}${GENERATION_SEPARATOR}v${generation}`;
