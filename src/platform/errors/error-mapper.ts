import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import { DomainError } from './domain.error';
import { ERROR_STATUS, ErrorCode } from './error-code';
import { problem, ProblemDocument } from './problem-details';

export interface MappedError {
  problem: ProblemDocument;
  headers: Record<string, string>;
  /** True when the error is ours (a bug or an outage), to be logged with its stack. */
  unexpected: boolean;
}

interface PgDriverError {
  code?: string;
  constraint?: string;
  detail?: string;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
}

const STATUS_CODE: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  409: ErrorCode.Conflict,
  412: ErrorCode.PreconditionFailed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  422: ErrorCode.Unprocessable,
  429: ErrorCode.RateLimited,
  503: ErrorCode.ServiceUnavailable,
};

const expected = (code: ErrorCode, detail: string, extras: Partial<ProblemDocument> = {}, headers = {}) => ({
  problem: problem(ERROR_STATUS[code], code, detail, extras),
  headers,
  unexpected: false,
});

/** Turns anything thrown while serving a request into one problem document. Never leaks internals. */
export function mapError(error: unknown): MappedError {
  if (error instanceof DomainError) {
    return {
      problem: problem(error.status, error.code, error.detail, {
        ...(error.options.errors ? { errors: error.options.errors } : {}),
        ...error.options.extensions,
      }),
      headers: error.options.headers ?? {},
      unexpected: false,
    };
  }

  if (error instanceof ThrottlerException) {
    return expected(ErrorCode.RateLimited, 'Too many requests; retry after the time in Retry-After');
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const message = error.message;
    if (status === HttpStatus.NOT_FOUND && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(message)) {
      return expected(ErrorCode.RouteNotFound, 'No such route');
    }
    // Nest's Fastify adapter reports an unparsable JSON body as a plain 400; give it its own code.
    if (
      status === HttpStatus.BAD_REQUEST &&
      /not valid JSON|Unexpected token|JSON at position/i.test(message)
    ) {
      return expected(ErrorCode.MalformedJson, 'The request body is not valid JSON');
    }
    const code = STATUS_CODE[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.Unprocessable);
    return {
      problem: problem(status, code, status >= 500 ? 'Internal error' : message),
      headers: {},
      unexpected: status >= 500,
    };
  }

  if (error instanceof EntityNotFoundError) return expected(ErrorCode.NotFound, 'Resource not found');

  if (error instanceof QueryFailedError) {
    const driverError = (error as QueryFailedError & { driverError?: PgDriverError }).driverError ?? {};
    const mapped = mapPostgresError(driverError);
    if (mapped) return mapped;
  }

  const fastifyError = error as FastifyLikeError | undefined;
  if (fastifyError && typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_')) {
    const mapped = mapFastifyError(fastifyError);
    if (mapped) return mapped;
  }
  if (error instanceof SyntaxError && fastifyError?.statusCode === 400) {
    return expected(ErrorCode.MalformedJson, 'The request body is not valid JSON');
  }

  return {
    problem: problem(
      500,
      ErrorCode.Internal,
      'An unexpected error occurred; quote the request id to support',
    ),
    headers: {},
    unexpected: true,
  };
}

function mapPostgresError(driverError: PgDriverError): MappedError | undefined {
  switch (driverError.code) {
    case '23505':
      return expected(ErrorCode.Duplicate, 'A resource with the same unique values already exists');
    case '23503':
      return /is still referenced/.test(driverError.detail ?? '')
        ? expected(ErrorCode.ReferenceInUse, 'The resource is still referenced by other resources')
        : expected(ErrorCode.ReferenceNotFound, 'A referenced resource does not exist');
    case '23514':
    case '23P01':
      return expected(ErrorCode.Unprocessable, 'The change violates a rule of the data');
    case '23502':
      return expected(ErrorCode.ValidationFailed, 'A required value is missing');
    // Text PostgreSQL cannot store (NUL) or convert. Validation refuses control characters first;
    // this is the second wall for any string that reaches SQL some other way.
    case '22021':
    case '22P05':
      return expected(ErrorCode.ValidationFailed, 'A value contains characters that cannot be stored');
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return expected(ErrorCode.ValidationFailed, 'A value has the wrong format or is out of range');
    case '40001':
    case '40P01':
      return expected(ErrorCode.Conflict, 'The change collided with a concurrent change; retry');
    case '55P03':
      return expected(ErrorCode.Conflict, 'The resource is busy; retry');
    default:
      return undefined;
  }
}

function mapFastifyError(error: FastifyLikeError): MappedError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return expected(ErrorCode.PayloadTooLarge, 'The request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return expected(ErrorCode.UnsupportedMediaType, 'Send the body as application/json');
    case 'FST_ERR_BAD_URL':
      return expected(ErrorCode.MalformedUrl, 'The URL path has an invalid percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return expected(ErrorCode.PathParameterTooLong, 'A path parameter is longer than any id of this API');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return expected(ErrorCode.MalformedJson, 'The request body is not valid JSON');
    default:
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        const code = STATUS_CODE[error.statusCode] ?? ErrorCode.Unprocessable;
        return expected(code, 'The request could not be processed');
      }
      return undefined;
  }
}
