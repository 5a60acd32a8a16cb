import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger } from './app-logger';
import { createRootLogger, ROOT_LOGGER } from './root-logger';

/**
 * Structured JSON logs through one pino logger. The access log (`registerRequestLog`, installed by
 * `configureApp`) writes one line per request with its `reqId`, which is the `X-Request-Id` echoed to
 * the client; lines written about a request elsewhere (errors, the operation log, idempotency) carry
 * it as `requestId`, so a support ticket leads straight to them.
 */
@Global()
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      inject: [AppConfig],
      useFactory: ({ env }: AppConfig) => createRootLogger(env.LOG_LEVEL),
    },
    AppLogger,
  ],
  exports: [ROOT_LOGGER, AppLogger],
})
export class LoggingModule {}
