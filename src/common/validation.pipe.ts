import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

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

/** Whitelisting pipe: unknown fields are rejected, types are converted, every problem is named. */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
  });
