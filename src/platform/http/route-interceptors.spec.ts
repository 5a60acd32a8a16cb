import { CallHandler, Controller, Delete, ExecutionContext, Get } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { firstValueFrom, map, Observable, of } from 'rxjs';
import { RouteInfo, RouteInterceptor, RouteInterceptorChain } from './route-interceptors';

@Controller('things')
class ThingsController {
  @Get()
  list() {
    return [];
  }

  @Delete(':id')
  remove() {
    return undefined;
  }
}

/** Appends its name to the answer, and records which routes it was asked about. */
class Tagging implements RouteInterceptor {
  readonly asked: RouteInfo[] = [];
  intercepted = 0;

  constructor(
    private readonly name: string,
    private readonly methods: RouteInfo['method'][],
  ) {}

  appliesTo(route: RouteInfo): boolean {
    this.asked.push(route);
    return this.methods.includes(route.method);
  }

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.intercepted++;
    return next.handle().pipe(map((value) => `${this.name}(${String(value)})`));
  }
}

const contextFor = (handler: (...args: unknown[]) => unknown) =>
  new ExecutionContextHost([{}, {}], ThingsController, handler);

describe('RouteInterceptorChain', () => {
  it('wraps each route in the layers that apply to it, outermost first, deciding once per route', async () => {
    const outer = new Tagging('outer', ['GET', 'DELETE']);
    const mutating = new Tagging('mutating', ['DELETE']);
    const inner = new Tagging('inner', ['GET', 'DELETE']);
    const chain = new RouteInterceptorChain([outer, mutating, inner]);
    const handler: CallHandler = { handle: () => of('handler') };
    const { list, remove } = ThingsController.prototype;

    expect(await firstValueFrom(chain.intercept(contextFor(list), handler))).toBe('outer(inner(handler))');
    expect(await firstValueFrom(chain.intercept(contextFor(list), handler))).toBe('outer(inner(handler))');
    expect(await firstValueFrom(chain.intercept(contextFor(remove), handler))).toBe(
      'outer(mutating(inner(handler)))',
    );

    expect(mutating.asked.map((route) => route.method)).toEqual(['GET', 'DELETE']);
    expect(mutating.asked[0]).toMatchObject({ controller: ThingsController, handler: list });
    expect(mutating.intercepted).toBe(1);
  });

  it('answers straight from the handler on a route no layer applies to', async () => {
    const chain = new RouteInterceptorChain([new Tagging('mutating', ['DELETE'])]);
    const answer = of('handler');
    expect(chain.intercept(contextFor(ThingsController.prototype.list), { handle: () => answer })).toBe(
      answer,
    );
  });

  it('runs a layer only when subscribed, and again on every subscription', async () => {
    const layer = new Tagging('layer', ['GET']);
    const chain = new RouteInterceptorChain([layer]);
    let calls = 0;
    const handler: CallHandler = { handle: () => of(++calls) };

    const answer = chain.intercept(contextFor(ThingsController.prototype.list), handler);
    expect(layer.intercepted).toBe(0);
    expect(await firstValueFrom(answer)).toBe('layer(1)');
    expect(await firstValueFrom(answer)).toBe('layer(2)');
    expect(layer.intercepted).toBe(2);
  });
});
