import { INestApplication, ParseUUIDPipe, PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';

/** What the document states about a handler beyond its swagger decorators, read from Nest's metadata. */
export interface RouteFacts {
  /** Path parameters a ParseUUIDPipe validates (`@Param('id', uuidParam('id'))`). */
  uuidParameters: Set<string>;
  /** False under `@SkipThrottle()`: the global rate limit never answers 429 there. */
  rateLimited: boolean;
  /** The DTO classes of `@Body()` and `@Query()`, whose validators bound what the document says. */
  bodyType?: DtoClass;
  queryType?: DtoClass;
}

export type DtoClass = new (...args: never[]) => object;

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: (PipeTransform | Type<PipeTransform>)[];
}

// @nestjs/throttler's SkipThrottle() writes `THROTTLER:SKIP<name>`; our one throttler is `default`.
const SKIP_DEFAULT_THROTTLER = 'THROTTLER:SKIPdefault';

/** Handler name (= operationId) → its facts, for every controller of the app. */
export function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const byHandler = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      const controllerSkips = Reflect.getMetadata(SKIP_DEFAULT_THROTTLER, controller) === true;
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        if (handler === 'constructor') continue;
        const method: unknown = controller.prototype[handler];
        if (typeof method !== 'function') continue;
        const uuidParameters = new Set<string>();
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler) ??
          []) as unknown[];
        const dtoAt = (index: number) => {
          const type = types[index];
          return typeof type === 'function' &&
            ![String, Number, Boolean, Object, Array].includes(type as never)
            ? (type as DtoClass)
            : undefined;
        };
        let bodyType: DtoClass | undefined;
        let queryType: DtoClass | undefined;
        const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) as
          Record<string, RouteArgument> | undefined;
        for (const [key, argument] of Object.entries(args ?? {})) {
          const kind = Number(key.split(':')[0]);
          // A whole-object @Body() / @Query() (no property name) is validated as its DTO class.
          if (kind === RouteParamtypes.BODY && argument.data === undefined) bodyType = dtoAt(argument.index);
          if (kind === RouteParamtypes.QUERY && argument.data === undefined)
            queryType = dtoAt(argument.index);
          if (kind !== RouteParamtypes.PARAM || typeof argument.data !== 'string') continue;
          const pipes = argument.pipes ?? [];
          if (pipes.some((pipe) => pipe instanceof ParseUUIDPipe || pipe === ParseUUIDPipe)) {
            uuidParameters.add(argument.data);
          }
        }
        const methodSkips = Reflect.getMetadata(SKIP_DEFAULT_THROTTLER, method) === true;
        byHandler.set(handler, {
          uuidParameters,
          rateLimited: !(controllerSkips || methodSkips),
          bodyType,
          queryType,
        });
      }
    }
  }
  return byHandler;
}
