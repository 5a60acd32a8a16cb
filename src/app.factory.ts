import { Logger as NestLogger } from '@nestjs/common';
import type { SecurityRequestHook } from '@nestjs/common/internal';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppModule, AppModuleOptions } from './app.module';
import { Environment, validateEnvironment } from './platform/config/config.schema';
import { sendProblem } from './platform/errors/problem-details.filter';
import { depthLimitedJsonParser } from './platform/http/json-body';
import { requestIdFor } from './platform/http/request-id';
import { AppLogger } from './platform/logging/app-logger';
import { registerRequestLog } from './platform/logging/request-log';
import { ROOT_LOGGER, RootLogger } from './platform/logging/root-logger';
import { createValidationPipe } from './platform/http/validation';
import { setupOpenApi } from './platform/openapi/openapi';

export const API_PREFIX = 'api/v1';

/**
 * Fastify's router refuses a bad percent-encoding or an over-long parameter before any hook or Nest runs.
 * Those answers get the problem document and the headers every response carries: the adapter keeps the
 * security-headers hook `app.useSecurityHeaders` registers, so the router's errors can run it too.
 */
class ApiFastifyAdapter extends FastifyAdapter {
  private securityHeaders?: SecurityRequestHook<FastifyRequest>;

  override registerSecurityHook(hook: SecurityRequestHook<FastifyRequest>): void {
    this.securityHeaders = hook;
    super.registerSecurityHook(hook);
  }

  sendRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    reply.header('x-request-id', request.id);
    try {
      this.securityHeaders?.(request, reply.raw);
    } catch {
      // The request is refused either way; a throw here would escape the router.
    }
    sendProblem(error, request, reply, routerLogger);
  }
}

const routerLogger = new NestLogger('Errors');

export function createFastifyAdapter(env: Environment): FastifyAdapter {
  const adapter: ApiFastifyAdapter = new ApiFastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY,
    genReqId: requestIdFor,
    // Let in-flight requests finish on shutdown, but don't wait on idle keep-alive sockets.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    logger: false,
    // The app has no Express-style middleware (request logging, security headers and CORS are Fastify
    // hooks), so @fastify/middie is not registered: it ran on every request for nothing. A module that
    // adds Nest middleware (`configure(consumer)`) fails at boot with this set; use a hook instead.
    skipMiddie: true,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      adapter.sendRouterError(error, request, reply),
  });
  return adapter;
}

/** Everything that makes an app instance a Daiyun API, shared by main, tests, the spec script and benches. */
export async function configureApp(app: NestFastifyApplication, env: Environment): Promise<void> {
  app.useLogger(app.get(AppLogger));
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
  // NDJSON (bulk imports) is handed to the route as the raw stream, unbuffered: BODY_LIMIT_BYTES does not
  // apply, so a route accepting it reads it incrementally and enforces its own limit.
  fastify.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));
  // Security headers (helmet 8's set and defaults) from Nest's own hook, resolved and validated once at
  // start-up. (@fastify/helmet rebuilt helmet's middleware on every request, which cost about a tenth of
  // an authenticated read's CPU in our profile; helmet's middleware chain built once still cost ~5 %.)
  app.useSecurityHeaders({
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
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerRequestLog(fastify, app.get<RootLogger>(ROOT_LOGGER));

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
