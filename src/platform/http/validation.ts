import { ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorCode, FieldError } from '../errors';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator's whitelist message reads "property x should not exist"; say it plainly.
      message: message.startsWith('property ') ? 'unknown field' : message,
    }));
    return own.concat(flatten(error.children ?? [], field));
  });
}

/** Global pipe: DTOs are validated, transformed, and unknown fields are refused rather than dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', { errors: flatten(errors) }),
  });
}

/** `@Param('id', UuidParam)`: a malformed id is a 400 with the parameter named, not a database error. */
export const UuidParam = new ParseUUIDPipe({
  version: undefined,
  exceptionFactory: () => DomainError.validation('id', 'must be a UUID'),
});

export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => DomainError.validation(name, 'must be a UUID') });
}
