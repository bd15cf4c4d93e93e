/** Keys that would reach an object's prototype when a parsed body is copied into a class. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class ForbiddenJsonKeyError extends SyntaxError {
  constructor(readonly key: string) {
    super(`request body: the key "${key}" is not allowed`);
    this.name = 'ForbiddenJsonKeyError';
  }
}

/** JSON.parse reviver that rejects prototype-pollution keys anywhere in a request body. */
export function rejectForbiddenKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenJsonKeyError(key);
  return value;
}
