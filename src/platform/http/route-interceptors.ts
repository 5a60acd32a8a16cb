import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  RequestMethod,
  Type,
} from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { defer, Observable } from 'rxjs';

/** What an interceptor may know about a route before any request reaches it. */
export interface RouteInfo {
  controller: Type<unknown>;
  handler: (...args: unknown[]) => unknown;
  /** The HTTP method the route is declared for (`ALL` for `@All()`). */
  method: keyof typeof RequestMethod;
}

/** An interceptor of the shared request path that can tell from the route alone whether it has work there. */
export interface RouteInterceptor extends NestInterceptor {
  /** Asked once per route, at its first request; false leaves the route without this layer. */
  appliesTo(route: RouteInfo): boolean;
}

/**
 * The app's global interceptors as one layer, in one explicit order (outermost first), each present only
 * on the routes it applies to. Nest wraps every global interceptor around every route, and each of its
 * layers costs a deferred observable, an async-context binding and a merge on every request whether the
 * interceptor does anything or not: with four of them that was most of what `/health/live` paid for
 * interceptors. Here a route carries only its own layers, joined by plain deferred calls, so an
 * interceptor still sees `next.handle()` as a cold observable it may subscribe to again (the deferred
 * access check re-runs the handler that way).
 */
@Injectable()
export class RouteInterceptorChain implements NestInterceptor {
  private readonly chains = new WeakMap<object, WeakMap<object, readonly RouteInterceptor[]>>();

  constructor(private readonly layers: readonly RouteInterceptor[]) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const layers = this.layersFor(context);
    let handler: CallHandler = next;
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      const inner = handler;
      handler = { handle: () => defer(() => layer.intercept(context, inner)) };
    }
    return handler.handle();
  }

  private layersFor(context: ExecutionContext): readonly RouteInterceptor[] {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.chains.get(controller);
    if (!byHandler) this.chains.set(controller, (byHandler = new WeakMap()));
    let layers = byHandler.get(handler);
    if (!layers) {
      const route: RouteInfo = {
        controller,
        handler: handler as RouteInfo['handler'],
        method: routeMethod(handler),
      };
      layers = this.layers.filter((layer) => layer.appliesTo(route));
      byHandler.set(handler, layers);
    }
    return layers;
  }
}

function routeMethod(handler: object): RouteInfo['method'] {
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  return method === undefined ? 'ALL' : (RequestMethod[method] as RouteInfo['method']);
}
