import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as NestLogger } from '@nestjs/common';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { Environment, validateEnvironment } from './platform/config/config.schema';
import { sendProblem } from './platform/errors/problem-details.filter';
import { depthLimitedJsonParser } from './platform/http/json-body';
import { requestIdFor } from './platform/http/request-id';
import { applySecurityHeaders } from './platform/http/security-headers';
import { createValidationPipe } from './platform/http/validation';
import { setupOpenApi } from './platform/openapi/openapi';

export const API_PREFIX = 'api/v1';

export function createFastifyAdapter(env: Environment): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY,
    genReqId: requestIdFor,
    // Let in-flight requests finish on shutdown, but don't wait on idle keep-alive sockets.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    logger: false,
    // The router refuses a bad percent-encoding or an over-long parameter before any hook or Nest
    // runs; render those as problem documents too, with the headers every response carries.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      applySecurityHeaders(request, reply, () => sendProblem(error, request, reply, routerLogger));
    },
  });
}

const routerLogger = new NestLogger('Errors');

/** Everything that makes an app instance a Daiyun API, shared by main, tests, the spec script and benches. */
export async function configureApp(app: NestFastifyApplication, env: Environment): Promise<void> {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready'] });
  const fastify = app.getHttpAdapter().getInstance();
  const defaultJsonParser = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser(
    'application/json',
    { bodyLimit: env.BODY_LIMIT_BYTES },
    depthLimitedJsonParser(defaultJsonParser),
  );
  app.useGlobalPipes(createValidationPipe());

  const origins = env.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  app.enableCors({
    origin: origins.includes('*') ? true : origins,
    exposedHeaders: ['X-Request-Id', 'ETag', 'Retry-After', 'Location', 'Idempotent-Replayed'],
    credentials: false,
  });

  // File uploads sent as the body itself (sensitive-word imports). Fastify parses text/plain already;
  // text/csv gets the same treatment, under the same BODY_LIMIT_BYTES.
  fastify.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  fastify.addHook('onRequest', applySecurityHeaders);

  setupOpenApi(app);
}

export async function createApp(options: AppModuleOptions): Promise<NestFastifyApplication> {
  const env = validateEnvironment(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(options),
    createFastifyAdapter(env),
    {
      bufferLogs: true,
    },
  );
  await configureApp(app, env);
  return app;
}
