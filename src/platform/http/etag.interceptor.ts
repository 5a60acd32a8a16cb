import { CallHandler, ExecutionContext, Injectable, Module, NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { etagOf, Versioned } from './etag';

/** Turns a handler's `Versioned` answer into its body plus the `ETag` header. */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof Versioned)) return value;
        context.switchToHttp().getResponse<FastifyReply>().header('ETag', etagOf(value.version));
        return value.body;
      }),
    );
  }
}

/**
 * Import it after the modules whose global interceptors must see the final body and headers (the
 * idempotency store replays the ETag): global interceptors wrap in registration order, so this one,
 * registered last, runs innermost.
 */
@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: EtagInterceptor }] })
export class EtagModule {}
