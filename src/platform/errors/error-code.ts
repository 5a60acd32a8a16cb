import { HttpStatus } from '@nestjs/common';

/**
 * Stable machine codes clients switch on. Adding a code is free; renaming one is a breaking change.
 * The map below is exhaustive (typed as a Record), so a new code cannot ship without its status.
 */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  MalformedJson = 'malformed_json',
  /** The JSON body nests deeper than the server reads (see MAX_JSON_DEPTH). */
  NestingTooDeep = 'nesting_too_deep',
  /** The URL's path has an invalid percent-encoding. */
  MalformedUrl = 'malformed_url',
  /** A path parameter is longer than any id the API uses. */
  PathParameterTooLong = 'path_parameter_too_long',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  RouteNotFound = 'route_not_found',
  MethodNotAllowed = 'method_not_allowed',
  NotFound = 'not_found',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  PermissionDenied = 'permission_denied',
  Conflict = 'conflict',
  Duplicate = 'duplicate',
  ReferenceNotFound = 'reference_not_found',
  ReferenceInUse = 'reference_in_use',
  InvalidState = 'invalid_state',
  Unprocessable = 'unprocessable',
  PreconditionFailed = 'precondition_failed',
  RateLimited = 'rate_limited',
  AccountLocked = 'account_locked',
  InvalidCredentials = 'invalid_credentials',
  TokenInvalid = 'token_invalid',
  TokenReused = 'token_reused',
  VerificationCodeInvalid = 'verification_code_invalid',
  WeakPassword = 'weak_password',
  UnitCycle = 'unit_cycle',
  LastOwner = 'last_owner',
  GrantEscalation = 'grant_escalation',
  SocialAccountUnavailable = 'social_account_unavailable',
  AuthorizationScopeMissing = 'authorization_scope_missing',
  /** The Idempotency-Key was already used by this caller for a different request. */
  IdempotencyKeyReused = 'idempotency_key_reused',
  /** The first request with this Idempotency-Key is still being processed. */
  IdempotencyKeyInUse = 'idempotency_key_in_use',
  /** The customer profile was merged into another; writes go to that one (see `mergedInto`). */
  CustomerMerged = 'customer_merged',
  // Customer service: tickets.
  /** The member cannot hold tickets of that queue (no tickets:write over the unit). */
  AssigneeNotEligible = 'assignee_not_eligible',
  TicketAlreadyAssigned = 'ticket_already_assigned',
  /** Identity first: the first public reply needs the customer's identity check recorded. */
  IdentityCheckRequired = 'identity_check_required',
  /** The inbound challenge answer is wrong, or the challenge expired or was forged. */
  ChallengeFailed = 'challenge_failed',
  ChallengeUsed = 'challenge_used',
  // Customer service: satisfaction surveys.
  /** The survey link was used already: a survey takes one answer. */
  SurveyAnswered = 'survey_answered',
  /** The survey link is past its expiry. */
  SurveyExpired = 'survey_expired',
  ServiceUnavailable = 'service_unavailable',
  Internal = 'internal_error',
}

export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MalformedJson]: HttpStatus.BAD_REQUEST,
  [ErrorCode.NestingTooDeep]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MalformedUrl]: HttpStatus.BAD_REQUEST,
  [ErrorCode.PathParameterTooLong]: HttpStatus.URI_TOO_LONG,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.RouteNotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.MethodNotAllowed]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.PermissionDenied]: HttpStatus.FORBIDDEN,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.Duplicate]: HttpStatus.CONFLICT,
  [ErrorCode.ReferenceNotFound]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.ReferenceInUse]: HttpStatus.CONFLICT,
  [ErrorCode.InvalidState]: HttpStatus.CONFLICT,
  [ErrorCode.Unprocessable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.PreconditionFailed]: HttpStatus.PRECONDITION_FAILED,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.AccountLocked]: HttpStatus.LOCKED,
  [ErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.TokenInvalid]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.TokenReused]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.VerificationCodeInvalid]: HttpStatus.BAD_REQUEST,
  [ErrorCode.WeakPassword]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UnitCycle]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.LastOwner]: HttpStatus.CONFLICT,
  [ErrorCode.GrantEscalation]: HttpStatus.FORBIDDEN,
  [ErrorCode.SocialAccountUnavailable]: HttpStatus.CONFLICT,
  [ErrorCode.AuthorizationScopeMissing]: HttpStatus.FORBIDDEN,
  [ErrorCode.IdempotencyKeyReused]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.IdempotencyKeyInUse]: HttpStatus.CONFLICT,
  [ErrorCode.CustomerMerged]: HttpStatus.CONFLICT,
  [ErrorCode.AssigneeNotEligible]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.TicketAlreadyAssigned]: HttpStatus.CONFLICT,
  [ErrorCode.IdentityCheckRequired]: HttpStatus.CONFLICT,
  [ErrorCode.ChallengeFailed]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.ChallengeUsed]: HttpStatus.CONFLICT,
  [ErrorCode.SurveyAnswered]: HttpStatus.GONE,
  [ErrorCode.SurveyExpired]: HttpStatus.GONE,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

export const ERROR_TITLE: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
