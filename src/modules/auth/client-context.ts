import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';

/**
 * Where a public request comes from, for rate limits, login history and agreement evidence. Signed-in
 * routes get the same facts from `@CurrentActor()`. The IP honours X-Forwarded-For only when
 * TRUST_PROXY is on (Fastify's `trustProxy`), so a client cannot pick its own IP.
 */
export interface ClientContext {
  ip: string;
  userAgent: string | null;
}

export function clientContextOf(request: FastifyRequest): ClientContext {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip.slice(0, 64),
    userAgent: typeof userAgent === 'string' && userAgent.length > 0 ? userAgent.slice(0, 512) : null,
  };
}

export const Client = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientContext =>
  clientContextOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
