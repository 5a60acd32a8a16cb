import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Level } from 'pino';
import { RootLogger } from './root-logger';

/** Health probes are polled every few seconds by orchestrators; their lines would drown the rest. */
const UNLOGGED_PREFIX = '/health/';

export const levelForStatus = (status: number): Level =>
  status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';

/**
 * One line per finished request (the access log): 5xx at `error`, 4xx at `warn`, the rest at `info`,
 * each with the request id as `reqId`. A Fastify hook rather than an Express-style middleware, and
 * nothing is built unless the line's level is enabled: at LOG_LEVEL=warn a 200 costs one comparison.
 */
export function registerRequestLog(fastify: FastifyInstance, logger: RootLogger): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const status = reply.statusCode;
    const level = levelForStatus(status);
    if (logger.isLevelEnabled(level) && !request.url.startsWith(UNLOGGED_PREFIX)) {
      logger[level](
        {
          reqId: request.id,
          req: { id: request.id, method: request.method, url: request.url, remoteAddress: request.ip },
          res: { statusCode: status, headers: reply.getHeaders() },
          responseTime: Math.round(reply.elapsedTime),
        },
        status >= 500 ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}
