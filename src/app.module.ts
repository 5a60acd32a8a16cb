import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { validateEnvironment } from './platform/config/config.schema';
import { AppConfig } from './platform/config/app-config';
import { AppConfigModule } from './platform/config/app-config.module';
import { buildDataSourceOptions } from './platform/database/data-source.options';
import { DatabaseModule } from './platform/database/database.module';
import { ProblemDetailsFilter } from './platform/errors/problem-details.filter';
import { HealthModule } from './platform/health/health.module';
import { JobsModule } from './platform/jobs/jobs.module';
import { LoggingModule } from './platform/logging/logging.module';
import { ClockModule } from './platform/clock/clock.module';
import { CryptoModule } from './platform/crypto/crypto.module';
import { NotificationsModule } from './platform/notifications/notifications.module';
import { AuditModule } from './platform/audit/audit.module';
import { OperationLogInterceptor } from './platform/audit/operation-log.interceptor';
import { IdempotencyModule } from './platform/idempotency/idempotency.module';
import { IdempotencyInterceptor } from './platform/idempotency/idempotency.interceptor';
import { EtagInterceptor } from './platform/http/etag.interceptor';
import { RouteInterceptor, RouteInterceptorChain } from './platform/http/route-interceptors';
import { FEATURE_MODULES } from './modules';
import { AccessGuard } from './modules/access/access.guard';
import { DeferredAccessInterceptor } from './modules/access/deferred-access.interceptor';

export interface AppModuleOptions {
  databaseUrl: string;
  /** Start pg-boss workers (tests of pure HTTP behaviour can leave them off). */
  jobs?: boolean;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const env = validateEnvironment(process.env);
    return {
      module: AppModule,
      imports: [
        AppConfigModule,
        LoggingModule,
        ClockModule,
        CryptoModule,
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: ({ env }: AppConfig) =>
            buildDataSourceOptions({
              url: options.databaseUrl,
              poolSize: env.DATABASE_POOL_SIZE,
              ssl: env.DATABASE_SSL,
            }),
        }),
        DatabaseModule,
        ThrottlerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: ({ env }: AppConfig) => {
            const limit = env.RATE_LIMIT_PER_MINUTE;
            return {
              // Named `default`: the throttler then sends the standard X-RateLimit-* and Retry-After
              // headers (any other name is appended to them, `Retry-After-global`), and `@SkipThrottle()`
              // without arguments skips it.
              throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(limit, 1) }],
              skipIf: () => limit === 0,
              setHeaders: true,
            };
          },
        }),
        JobsModule.forRoot({
          enabled: options.jobs ?? env.JOBS_ENABLED,
          connectionString: options.databaseUrl,
          shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
        }),
        HealthModule,
        NotificationsModule,
        IdempotencyModule,
        AuditModule,
        ...FEATURE_MODULES,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // Order matters: shed floods before spending a database round trip on authentication.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useExisting: AccessGuard },
        EtagInterceptor,
        {
          provide: APP_INTERCEPTOR,
          // Outermost first. Idempotency wraps the operation log, so a replay is not an operation; the
          // ETag is set inside both, so the idempotency store records it with the unwrapped body; the
          // deferred access check is innermost, next to the handler it may run again.
          inject: [
            IdempotencyInterceptor,
            OperationLogInterceptor,
            EtagInterceptor,
            DeferredAccessInterceptor,
          ],
          useFactory: (...layers: RouteInterceptor[]) => new RouteInterceptorChain(layers),
        },
      ],
    };
  }
}
