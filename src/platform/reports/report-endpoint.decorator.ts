import { applyDecorators, Type, UseInterceptors } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import { ReportFormatInterceptor } from './report-format.interceptor';

/**
 * Declares a report route: the handler returns a `ReportAnswer` whose body is `dto`, and the route
 * answers `application/json`, `text/csv` or `image/svg+xml` by `?format=` (documented as such).
 */
export function ReportEndpoint(dto: Type<unknown>, description = 'The report'): MethodDecorator {
  return applyDecorators(
    UseInterceptors(ReportFormatInterceptor),
    ApiExtraModels(dto),
    ApiOkResponse({
      description: `${description}: JSON by default, \`?format=csv\` the same numbers as CSV (a header row of column keys), \`?format=svg\` a chart`,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(dto) } },
        'text/csv': { schema: { type: 'string' } },
        'image/svg+xml': { schema: { type: 'string' } },
      },
    }),
  );
}
