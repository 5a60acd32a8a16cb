import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/*
 * Checks real responses against the committed spec: the body of every JSON response an e2e test
 * provokes must match the schema the spec documents for that operation and status (required fields
 * present, null only where nullable, types and formats as stated). A response the spec does not document
 * at all is a violation too. The spec is the committed file, the one partners generate clients from.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface ResponseDoc {
  content?: Record<string, { schema?: Json }>;
}
interface OperationDoc {
  operationId?: string;
  responses?: Record<string, ResponseDoc>;
}

const SPEC_ID = 'daiyun-openapi';
const spec = JSON.parse(readFileSync(join(__dirname, '../../openapi/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, OperationDoc>>;
  components: JsonObject;
};

/**
 * OpenAPI 3.0 `nullable: true` as client generators read it (openapi-typescript, openapi-generator):
 * null is allowed besides whatever the schema says, including the `allOf: [$ref]` wrapper the swagger
 * module writes for a nullable nested object (which Ajv's own `nullable` would still hold to the ref).
 */
function withNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(withNullable);
  if (node === null || typeof node !== 'object') return node;
  const copy: JsonObject = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, withNullable(value)]),
  );
  if (copy.nullable !== true) return copy;
  delete copy.nullable;
  if (Array.isArray(copy.enum)) copy.enum = copy.enum.filter((value) => value !== null);
  return { anyOf: [{ type: 'null' }, copy] };
}

// `example` and other annotations are not validation keywords: strict mode off.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema({ $id: SPEC_ID, components: withNullable(spec.components) });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: Json): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    // Local refs (#/components/...) resolve against the spec document added above.
    const rebased = JSON.parse(
      JSON.stringify(schema).replace(/"#\/components\//g, `"${SPEC_ID}#/components/`),
    ) as Json;
    validate = ajv.compile(withNullable(rebased) as object);
    compiled.set(key, validate);
  }
  return validate;
}

export interface ObservedResponse {
  method: string;
  /** The route as Fastify knows it, `/api/v1/orgs/:orgId`. */
  route: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** What is wrong with one response, or undefined when it matches the spec. */
export function responseViolation(response: ObservedResponse): string | undefined {
  const template = response.route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  const operation = spec.paths[template]?.[response.method.toLowerCase()];
  const where = `${response.method} ${template} → ${response.status}`;
  if (!operation) return `${where}: the operation is not in the spec`;
  const documented = operation.responses?.[String(response.status)] ?? operation.responses?.default;
  if (!documented) return `${where}: status not documented`;
  const mediaType = response.contentType?.split(';')[0].trim();
  if (!mediaType || !/json/.test(mediaType) || response.body === '') return undefined;
  const schema = documented.content?.[mediaType]?.schema;
  if (schema === undefined) return `${where}: ${mediaType} body not documented`;
  const validate = validatorFor(`${template} ${response.method} ${response.status} ${mediaType}`, schema);
  const body = JSON.parse(response.body) as Json;
  if (validate(body)) return undefined;
  const errors = (validate.errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`)
    .join('; ');
  return `${where}: ${errors}`;
}
