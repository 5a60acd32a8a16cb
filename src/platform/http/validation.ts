import { cacheValidationMetadata } from './validation-metadata-cache';
import { ArgumentMetadata, Injectable, ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
import { Readable } from 'node:stream';
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

/**
 * C0 control characters other than tab, line feed and carriage return. PostgreSQL cannot store NUL
 * (a 500 before this check), and the rest have no business in any text a person or a partner sends.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

export const hasControlCharacter = (text: string): boolean => CONTROL_CHARACTER.test(text);

/**
 * Every string of an input (keys too), walked with an explicit stack rather than recursion. Answers
 * the field errors found, at most a few. (How deep a body may nest is the JSON parser's rule.)
 */
export function inspectInput(value: unknown, root: string): FieldError[] {
  const problems: FieldError[] = [];
  const stack: { value: unknown; field: string }[] = [{ value, field: root }];
  while (stack.length > 0 && problems.length < 10) {
    const { value: current, field } = stack.pop()!;
    if (typeof current === 'string') {
      if (hasControlCharacter(current))
        problems.push({ field, message: 'must not contain control characters' });
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const child = field ? `${field}.${key}` : key;
        if (hasControlCharacter(key))
          problems.push({ field: child, message: 'name must not contain control characters' });
        stack.push({ value: item, field: child });
      }
    }
  }
  return problems;
}

const validationFailed = (errors: FieldError[]) =>
  new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', { errors });

/**
 * Global pipe: DTOs are validated, transformed, and unknown fields are refused rather than dropped.
 * Before class-validator sees anything, every string of the body, query and path is checked for
 * control characters, and a body meant for a DTO must be a JSON object (a literal `null`, an array or
 * a number is not an empty update).
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => validationFailed(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') return super.transform(value, metadata);
    // A streamed body (application/x-ndjson is handed over unparsed) belongs to the routes that read it
    // themselves; anywhere else it is the wrong media type, and walking a stream's object graph for
    // control characters would never end.
    if (metadata.type === 'body' && value instanceof Readable) {
      throw new DomainError(ErrorCode.UnsupportedMediaType, 'This endpoint takes application/json');
    }
    const root = metadata.type === 'param' ? (metadata.data ?? '') : '';
    const problems = inspectInput(value, root);
    if (problems.length > 0) throw validationFailed(problems);
    if (metadata.type === 'body' && this.isDto(metadata)) {
      // No body at all is an empty one (POST /auth/logout); a body that is there must be an object.
      if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        throw validationFailed([{ field: '', message: 'the body must be a JSON object' }]);
      }
    }
    return super.transform(value, metadata);
  }

  private isDto(metadata: ArgumentMetadata): boolean {
    return metadata.metatype !== undefined && this.toValidate(metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new RequestValidationPipe();
}

/** `@Param('id', UuidParam)`: a malformed id is a 400 with the parameter named, not a database error. */
export const UuidParam = new ParseUUIDPipe({
  version: undefined,
  exceptionFactory: () => DomainError.validation('id', 'must be a UUID'),
});

export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => DomainError.validation(name, 'must be a UUID') });
}
