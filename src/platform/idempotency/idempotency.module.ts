import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyService } from './idempotency.service';

/**
 * `Idempotency-Key` support for routes marked `@Idempotent()`: the interceptor (placed by the app's
 * RouteInterceptorChain outside the operation log's, so replays are not operations) and the
 * `idempotency_keys` store with its daily prune job.
 */
@Module({
  providers: [IdempotencyService, IdempotencyInterceptor],
  exports: [IdempotencyService, IdempotencyInterceptor],
})
export class IdempotencyModule {}
