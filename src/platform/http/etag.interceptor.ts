import { CallHandler, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { etagOf, Versioned } from './etag';
import { RouteInterceptor } from './route-interceptors';

/** Turns a handler's `Versioned` answer into its body plus the `ETag` header. */
@Injectable()
export class EtagInterceptor implements RouteInterceptor {
  /** Any route may answer a `Versioned` body. */
  appliesTo(): boolean {
    return true;
  }

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
