import { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';

// Security headers from helmet, built once. (@fastify/helmet rebuilds the middleware on every
// request, which cost about a tenth of an authenticated read's CPU in our profile.)
const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      // Swagger UI at /docs ships inline bootstrap code.
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
});

/** The request id and helmet's headers, on every response, errors of the router included. */
export function applySecurityHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
): void {
  reply.header('x-request-id', request.id);
  securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
}
