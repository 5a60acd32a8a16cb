import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/*
 * The committed OpenAPI document as the list of operations the suite walks: the fuzz and the
 * authorization-matrix tests derive every request from it, so a new route is covered the day it
 * ships, and a route the spec describes wrongly fails them.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  example?: unknown;
}

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
  /** False when the spec leaves a path template's parameter out (it then reads as a UUID). */
  declared: boolean;
}

export interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The path template, e.g. `/api/v1/orgs/{orgId}/units/{unitId}`. */
  path: string;
  operationId: string;
  /** `x-permission`: a permission code, `signed-in` or `public`. */
  permission: string;
  parameters: ParameterSpec[];
  /** The JSON body's schema, when the operation takes one. */
  jsonBody?: { schema: JsonSchema; required: boolean };
  /** A text body (`text/csv`, `text/plain`), when the operation takes one instead. */
  textBody?: { contentType: string };
}

interface RawOperation {
  operationId: string;
  'x-permission'?: string;
  parameters?: (ParameterSpec & { $ref?: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function loadSpec(): OpenApiDocument {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8'));
}

export function listOperations(spec: OpenApiDocument): OperationSpec[] {
  const operations: OperationSpec[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const declared = (raw.parameters ?? []).map((p) => ({ ...p, required: !!p.required, declared: true }));
      const templateNames = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const name of templateNames) {
        if (!declared.some((p) => p.in === 'path' && p.name === name)) {
          declared.push({
            name,
            in: 'path',
            required: true,
            schema: { type: 'string', format: 'uuid' },
            declared: false,
          });
        }
      }
      const content = raw.requestBody?.content ?? {};
      const json = content['application/json'];
      const textType = Object.keys(content).find((type) => type.startsWith('text/'));
      operations.push({
        method,
        path,
        operationId: raw.operationId,
        permission: raw['x-permission'] ?? 'UNDECLARED',
        parameters: declared,
        jsonBody: json ? { schema: json.schema, required: !!raw.requestBody?.required } : undefined,
        textBody: !json && textType ? { contentType: textType } : undefined,
      });
    }
  }
  return operations.sort((a, b) => a.operationId.localeCompare(b.operationId));
}

/** Follows `$ref`s and merges `allOf`, so generators see one plain schema. */
export function resolveSchema(spec: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = spec.components.schemas[name];
    if (!target) throw new Error(`dangling $ref ${schema.$ref}`);
    const { $ref: _ref, ...rest } = schema;
    return resolveSchema(spec, { ...target, ...rest });
  }
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return allOf
      .map((part) => resolveSchema(spec, part))
      .reduce(
        (merged, part) => ({
          ...merged,
          ...part,
          properties: { ...merged.properties, ...part.properties },
          required: [...(merged.required ?? []), ...(part.required ?? [])],
        }),
        rest as JsonSchema,
      );
  }
  return schema;
}

/** Rewrites local `$ref`s to point into the spec registered with ajv under the id `spec`. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) =>
        key === '$ref' && typeof item === 'string' ? [key, `spec${item}`] : [key, rebase(item)],
      ),
    );
  }
  return value;
}

/** ajv over the spec's own schemas: the judge of whether a request or a response keeps the contract. */
export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(spec: OpenApiDocument, options: { coerceTypes?: boolean } = {}) {
    this.ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: options.coerceTypes ?? false });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'spec', components: rebase(spec.components) }, 'spec');
  }

  isValid(key: string, schema: JsonSchema, value: unknown): boolean {
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema) as object);
      this.cache.set(key, validate);
    }
    return validate(value) as boolean;
  }
}
