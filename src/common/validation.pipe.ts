import {
  ArgumentMetadata,
  BadRequestException,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';

/** Far above any valid body (filters nest at most FILTER_MAX_DEPTH ≤ 20 levels). */
export const MAX_BODY_DEPTH = 100;

/** Whether `value` nests objects/arrays deeper than `limit`; iterative, so it cannot overflow. */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
};

/** With the `u` flag a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The path of `key` below `parent` in the one notation every error message uses:
 * `documents[0].metadata.tags` (array indexes in brackets, object keys after dots).
 */
export const childPath = (parent: string, key: string, inArray: boolean): string =>
  inArray ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/**
 * Where `value` holds a string, key or value, that is not well-formed UTF-16 (a lone surrogate):
 * the path of that string, or of the object whose key it is. Iterative, like the depth check.
 */
export const illFormedUnicodeAt = (
  value: unknown,
  root: string,
): { path: string; key: boolean } | undefined => {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (LONE_SURROGATE.test(node)) return { path, key: false };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const inArray = Array.isArray(node);
    for (const [key, child] of Object.entries(node)) {
      if (LONE_SURROGATE.test(key)) return { path, key: true };
      stack.push([child, childPath(path, key, inArray)]);
    }
  }
  return undefined;
};

/**
 * Checks of a value's type, in the order they are reported: when one fails, the value's other
 * checks (`must not be less than 1` of `"3"`) would contradict it, so it is reported alone.
 */
const TYPE_CHECKS = [
  'isDefined',
  'isArray',
  'isObject',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'nestedValidation',
];

/** class-validator's wording where it is unclear (`must be an integer number`). */
const CLEARER: Record<string, string> = {
  isInt: 'must be an integer',
  isNumber: 'must be a number',
  isBoolean: 'must be true or false',
  isNotEmpty: 'must not be empty',
  nestedValidation: 'must be an object',
  whitelistValidation: 'is not an accepted field',
};

/** One message per mistake: a failed type check alone, else every failed check. */
function problemsOf(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  const typeCheck = TYPE_CHECKS.find((name) => name in constraints);
  const names = typeCheck ? [typeCheck] : Object.keys(constraints);
  return names.map((name) => {
    const problem = CLEARER[name] ?? constraints[name];
    // class-validator starts messages with the property name; the path replaces it.
    return problem.startsWith(`${error.property} `)
      ? problem.slice(error.property.length + 1)
      : problem;
  });
}

/** Flattens nested class-validator errors into `documents[0].text: problem` lines. */
export const flattenValidationErrors = (errors: ValidationError[], parent = ''): string[] =>
  errors.flatMap((error) => {
    // The children of a list are its items, named by their index.
    const path = childPath(parent, error.property, /^\d+$/.test(error.property));
    const own = problemsOf(error).map((problem) => `${path}: ${problem}`);
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });

/**
 * Refuses absurdly nested bodies before class-transformer walks them recursively (a body nested
 * ~1,000 levels deep overflowed its stack and answered 500), and ill-formed Unicode in any
 * argument (body, query, params) before any of it reaches the store.
 */
class DepthLimitedValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && nestsDeeperThan(value, MAX_BODY_DEPTH)) {
      throw new BadRequestException(`request body: nested deeper than ${MAX_BODY_DEPTH} levels`);
    }
    // Chroma's parser refuses lone surrogates with an error about whatever field it reads.
    const bad = metadata.type !== 'custom' && illFormedUnicodeAt(value, metadata.data ?? '');
    if (bad) {
      const field = bad.path || `request ${metadata.type}`;
      throw new BadRequestException([
        `${field}: ${bad.key ? 'keys must be' : 'must be'} well-formed Unicode (no lone surrogates)`,
      ]);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** Whitelisting pipe: unknown fields are rejected, types are converted, every problem is named. */
export const createValidationPipe = (): ValidationPipe =>
  new DepthLimitedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
  });
