import { ERROR_STATUS, ErrorCode } from './error-code';

export interface FieldError {
  field: string;
  message: string;
}

export interface DomainErrorOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members of the problem document, e.g. `currentState`. Never put secrets here. */
  extensions?: Record<string, unknown>;
}

/** The one error type services throw. The filter turns it into problem+json with its status. */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: DomainErrorOptions = {},
  ) {
    super(detail);
    this.name = 'DomainError';
    this.status = ERROR_STATUS[code];
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NotFound, `${what} not found`);
  }

  static validation(field: string, message: string): DomainError {
    return new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', {
      errors: [{ field, message }],
    });
  }
}
