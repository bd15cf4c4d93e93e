import { InvalidInputError } from '../common/domain-errors';

/**
 * Why an id would confuse people or tools, or undefined when it is fine: `#` separates the
 * document id from the chunk index; control characters break logs; invisible and bidirectional
 * format characters (U+200B, U+202E, …) make two ids that read alike differ, or one read reversed.
 */
export function documentIdProblem(id: string): string | undefined {
  if (id.trim() === '') return 'must not be only whitespace';
  if (/[#\p{Cc}\p{Cf}]/u.test(id)) {
    return 'must not contain #, control characters or invisible/bidirectional format characters';
  }
  return undefined;
}

/** Refuses an id sent by a client, naming its field (400): empty, too long or confusing. */
export function checkDocumentId(id: string, field: string, maxIdChars: number): void {
  if (id.length === 0 || id.length > maxIdChars) {
    throw new InvalidInputError(field, `must be 1 to ${maxIdChars} characters`);
  }
  const problem = documentIdProblem(id);
  if (problem) throw new InvalidInputError(field, problem);
}
