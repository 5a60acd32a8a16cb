import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { ReportAnswer } from './report-answer';
import { ReportFormat } from './report-query.dto';
import { renderCsv, renderSvg } from './report-rendering';

/**
 * Answers a handler's `ReportAnswer` in the format of `?format=`: the JSON body, or CSV or SVG made
 * from its table. The query DTO has validated `format` by the time the handler has answered.
 */
@Injectable()
export class ReportFormatInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof ReportAnswer)) return value;
        const query = http.getRequest<FastifyRequest>().query as { format?: ReportFormat } | undefined;
        const format = query?.format ?? 'json';
        if (format === 'json') return value.body;
        const reply = http.getResponse<FastifyReply>();
        reply.header('Content-Disposition', `inline; filename="${value.fileName}.${format}"`);
        if (format === 'csv') {
          reply.header('Content-Type', 'text/csv; charset=utf-8');
          return renderCsv(value.table);
        }
        reply.header('Content-Type', 'image/svg+xml; charset=utf-8');
        return renderSvg(value);
      }),
    );
  }
}
