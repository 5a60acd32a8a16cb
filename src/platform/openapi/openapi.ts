import { INestApplication, ParseUUIDPipe, PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from '../http/problem.dto';
import { Json as JsonValue, operations, PathParameter, templateParameters } from './contract-checks';

export const API_KEY_HEADER = 'X-API-Key';

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

interface OperationLike {
  description?: string;
  'x-permission'?: string;
  operationId?: string;
}

/**
 * The spec partners generate clients from. Deterministic (sorted keys, no timestamps) so the committed
 * copy can be compared byte for byte; each operation's description names the permission it requires.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Daiyun API')
    .setDescription(
      "Backend for agencies operating brands' Douyin accounts (代运营) and the marketing platform they work on. " +
        'Errors are RFC 9457 application/problem+json with a stable `code`. Lists use cursor pagination.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    // Every error response points at it (ApiProblems), so it must exist even if no handler names it.
    extraModels: [ProblemDto],
  });
  completePathParameters(document as unknown as JsonValue, uuidRouteParameters(app));

  const seen = new Set<string>();
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as OperationLike[]) {
      if (!operation || typeof operation !== 'object' || !operation.operationId) continue;
      if (seen.has(operation.operationId)) throw new Error(`Duplicate operationId ${operation.operationId}`);
      seen.add(operation.operationId);
      const permission = operation['x-permission'];
      const requirement = permission ? `Requires permission \`${permission}\`.` : undefined;
      if (requirement && !operation.description?.includes(requirement)) {
        operation.description = [operation.description, requirement].filter(Boolean).join('\n\n');
      }
    }
  }
  return sortKeys(document as unknown as JsonValue) as unknown as OpenAPIObject;
}

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: (PipeTransform | Type<PipeTransform>)[];
}

/**
 * Handler name → names of its path parameters that a ParseUUIDPipe validates (`@Param('id',
 * uuidParam('id'))`). The swagger scanner documents such a parameter as a plain string; knowing the pipe,
 * the document can say `format: uuid`, which is what the server enforces.
 */
function uuidRouteParameters(app: INestApplication): Map<string, Set<string>> {
  const byHandler = new Map<string, Set<string>>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) as
          Record<string, RouteArgument> | undefined;
        for (const [key, argument] of Object.entries(args ?? {})) {
          if (Number(key.split(':')[0]) !== RouteParamtypes.PARAM || typeof argument.data !== 'string')
            continue;
          if (
            !(argument.pipes ?? []).some((pipe) => pipe instanceof ParseUUIDPipe || pipe === ParseUUIDPipe)
          ) {
            continue;
          }
          const names = byHandler.get(handler) ?? new Set<string>();
          names.add(argument.data);
          byHandler.set(handler, names);
        }
      }
    }
  }
  return byHandler;
}

/**
 * Declares every path template parameter on every operation, whatever the handler's decorators say.
 * Routes often read a parameter without `@Param` (the AccessGuard reads `orgId` itself), and the scanner
 * only documents what handlers take; a client generated from such an operation cannot fill the
 * parameter. Path parameters are required, and `format: uuid` when a UUID pipe or `@ApiParam` says so
 * (ids are UUIDs by convention, but the document states only what the server checks).
 */
export function completePathParameters(document: JsonValue, uuidParameters: Map<string, Set<string>>): void {
  for (const { path, operation } of operations(document)) {
    const declared = (Array.isArray(operation.parameters) ? operation.parameters : []).filter(
      (parameter) =>
        !(isPathParameter(parameter) && !templateParameters(path).includes(String(parameter.name))),
    );
    const uuid =
      typeof operation.operationId === 'string' ? uuidParameters.get(operation.operationId) : undefined;
    const pathParameters = templateParameters(path).map((name): PathParameter => {
      const existing = declared.find((p) => isPathParameter(p) && p.name === name) as
        { description?: JsonValue; schema?: { format?: JsonValue } } | undefined;
      const format = uuid?.has(name) ? 'uuid' : existing?.schema?.format;
      return {
        name,
        in: 'path',
        required: true,
        ...(typeof existing?.description === 'string' ? { description: existing.description } : {}),
        schema: { type: 'string', ...(typeof format === 'string' ? { format } : {}) },
      };
    });
    operation.parameters = [
      ...(pathParameters as unknown as JsonValue[]),
      ...declared.filter((parameter) => !isPathParameter(parameter)),
    ];
  }
}

const isPathParameter = (parameter: JsonValue): parameter is { [key: string]: JsonValue } =>
  typeof parameter === 'object' && parameter !== null && !Array.isArray(parameter) && parameter.in === 'path';

export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Daiyun API',
  });
}
