import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { REDACTED_PATHS } from './redaction';

/**
 * Structured JSON logs through pino. Every line of a request carries its `reqId`, which is the
 * `X-Request-Id` echoed to the client, so a support ticket leads straight to the log lines.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: ({ env }: AppConfig) => ({
        pinoHttp: {
          level: env.LOG_LEVEL,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
          customLogLevel: (_req, res, err) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
          serializers: {
            req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
              remoteAddress: req.remoteAddress,
            }),
          },
        },
        renameContext: 'module',
      }),
    }),
  ],
})
export class LoggingModule {}
