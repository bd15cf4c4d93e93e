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

/** Flattens nested class-validator errors into `path.to.field: problem` lines. */
export const flattenValidationErrors = (errors: ValidationError[], parent = ''): string[] =>
  errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map(
      (problem) =>
        // class-validator starts messages with the property name; keep the full path instead.
        `${path}: ${problem.startsWith(`${error.property} `) ? problem.slice(error.property.length + 1) : problem}`,
    );
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });

/**
 * Refuses absurdly nested bodies before class-transformer walks them recursively: a body nested
 * ~1,000 levels deep overflowed its stack and answered 500.
 */
class DepthLimitedValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && nestsDeeperThan(value, MAX_BODY_DEPTH)) {
      throw new BadRequestException(`request body: nested deeper than ${MAX_BODY_DEPTH} levels`);
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
