import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'email must be an email' })
  message: string;
}

/** RFC 9457 problem document, as every error answers. */
export class ProblemDto {
  @ApiProperty({ example: 'https://daiyun.dev/problems/validation-failed' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request is invalid' })
  detail: string;

  @ApiProperty({ description: 'Stable machine-readable error code', example: 'validation_failed' })
  code: string;

  @ApiProperty({ description: 'The request path', example: '/api/v1/orgs' })
  instance: string;

  @ApiProperty({ description: 'Echo of X-Request-Id, to quote when asking for support' })
  requestId: string;

  @ApiPropertyOptional({ type: FieldErrorDto, isArray: true })
  errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (`validation_failed`, `malformed_json`)',
  401: 'Not authenticated (`unauthenticated`)',
  403: 'Authenticated but lacking the permission (`permission_denied`)',
  404: 'Not found, or not visible to the caller (`not_found`)',
  409: 'Conflicts with the current state (`duplicate`, `conflict`, `invalid_state`)',
  410: 'No longer available (`survey_answered`, `survey_expired`)',
  412: 'If-Match does not name the current version (`precondition_failed`)',
  422: 'Well-formed but breaks a rule (`unprocessable`, `reference_not_found`)',
  423: 'Account temporarily locked (`account_locked`)',
  429: 'Rate limited (`rate_limited`); see Retry-After',
};

/** Documents problem+json error responses on an operation. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
