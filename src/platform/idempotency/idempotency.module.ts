import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyService } from './idempotency.service';

/**
 * `Idempotency-Key` support for routes marked `@Idempotent()`: a global interceptor and the
 * `idempotency_keys` store with its daily prune job. Import it before AuditModule: global interceptors
 * wrap in registration order, and replays must not reach the operation log's interceptor.
 */
@Module({
  providers: [IdempotencyService, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
