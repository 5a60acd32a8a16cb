import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from '../http/problem.dto';
import { Json as JsonValue } from './contract-checks';
import {
  allowNullInNullableEnums,
  API_SERVERS,
  API_TAGS,
  applyResponseConventions,
  boundStrings,
  completePathParameters,
} from './conventions';
import { routeFacts } from './route-facts';
import { applyValidatorBounds } from './validator-bounds';

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
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'Access token from `POST /api/v1/auth/login` or `/auth/refresh`. A JWS following RFC8725: HS256 only ' +
          '(other algorithms, `none` included, are refused), issuer and audience checked, short-lived, and ' +
          'its session is checked on every request, so signing out revokes it at once.',
      },
      'bearer',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: API_KEY_HEADER,
        description: 'An organization’s API key (`POST /api/v1/orgs/{orgId}/api-keys`), for partner systems.',
      },
      'api-key',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    // Every error response points at it (ApiProblems), so it must exist even if no handler names it.
    extraModels: [ProblemDto],
  });
  const json = document as unknown as JsonValue & { [key: string]: JsonValue };
  const facts = routeFacts(app);
  completePathParameters(json, facts);
  applyResponseConventions(json, facts);
  applyValidatorBounds(json, facts);
  boundStrings(json);
  allowNullInNullableEnums(json);
  json.tags = API_TAGS;
  json.servers = API_SERVERS;

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

export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Daiyun API',
  });
}
