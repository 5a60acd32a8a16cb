import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from './error-mapper';
import { PROBLEM_CONTENT_TYPE } from './problem-details';

/** Renders every error the same way. Also installed as Fastify's error handler for body parsing. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

export function sendProblem(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  const mapped = mapError(error);
  const body = { ...mapped.problem, instance: request.url.split('?')[0], requestId: String(request.id) };
  if (mapped.unexpected) {
    logger.error(
      { err: error, requestId: request.id, method: request.method, url: request.url },
      'Unhandled error while serving a request',
    );
  }
  if (reply.sent) return;
  for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
  reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}
