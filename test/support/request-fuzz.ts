import fc from 'fast-check';
import { JsonSchema, OpenApiDocument, OperationSpec, resolveSchema } from './openapi-operations';

/*
 * Malformed requests derived from an operation's own schema, the way a careless partner or an
 * attacker sends them. Choices that need randomness (which strings match a pattern, which mutations of
 * a large body are sent) come from fast-check with a fixed seed, so a failure replays exactly.
 */

export const FUZZ_SEED = 20261203;
/** Mutations of one operation's body, query and path, at most: keeps the suite to a few thousand requests. */
const MAX_BODY_MUTATIONS = 36;
const MAX_QUERY_MUTATIONS = 14;
/** A well-formed id that names no row: path values that reach the handler. */
export const PLACEHOLDER_ID = '5b0c1a52-7c1e-4f0e-9d7a-0f6b3c2a9e11';

export type FuzzBody = { json: unknown } | { raw: string; contentType: string };

export interface FuzzRequest {
  label: string;
  /** Values of the path template's parameters, already encoded (a malformed one is sent as is). */
  pathValues: Record<string, string>;
  query: Record<string, string>;
  body?: FuzzBody;
  /**
   * The API's contract refuses it even where the schema is silent: unknown fields, control characters,
   * deep nesting, a malformed URL. Schema violations are judged by ajv at run time.
   */
  refusedByContract: boolean;
  /** Where the mutation sits, for the ajv judgement: body, a query parameter, or a path parameter. */
  target: { in: 'body' } | { in: 'query' | 'path'; name: string };
}

const sampleOf = <T>(arbitrary: fc.Arbitrary<T>, seed: number): T =>
  fc.sample(arbitrary, { seed, numRuns: 1 })[0];

/** A value the schema accepts, as far as a generator can tell (patterns through fast-check). */
export function sampleValue(spec: OpenApiDocument, raw: JsonSchema, seed = FUZZ_SEED, depth = 0): unknown {
  const schema = resolveSchema(spec, raw);
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.oneOf?.length) return sampleValue(spec, schema.oneOf[0], seed, depth);
  if (schema.anyOf?.length) return sampleValue(spec, schema.anyOf[0], seed, depth);
  switch (schema.type) {
    case 'string':
      return sampleString(schema, seed);
    case 'integer':
    case 'number':
      return Math.min(schema.maximum ?? Number.MAX_SAFE_INTEGER, Math.max(schema.minimum ?? 1, 1));
    case 'boolean':
      return true;
    case 'array': {
      const count = Math.max(schema.minItems ?? 1, 1);
      return Array.from({ length: count }, (_, i) =>
        sampleValue(spec, schema.items ?? {}, seed + i, depth + 1),
      );
    }
    case 'object':
    default: {
      if (!schema.properties) return schema.type === 'object' ? {} : 'fuzz';
      const value: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const property = schema.properties[name];
        if (property && depth < 6) value[name] = sampleValue(spec, property, seed, depth + 1);
      }
      return value;
    }
  }
}

function sampleString(schema: JsonSchema, seed: number): string {
  switch (schema.format) {
    case 'uuid':
      return PLACEHOLDER_ID;
    case 'date-time':
      return '2030-01-31T08:00:00Z';
    case 'date':
      return '2030-01-31';
    case 'email':
      return 'fuzz@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/fuzz.png';
  }
  if (schema.pattern) {
    const matching = fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? 200));
    try {
      return sampleOf(matching, seed);
    } catch {
      return 'fuzz';
    }
  }
  const min = schema.minLength ?? 1;
  return 'fuzz'.padEnd(Math.max(min, 4), 'z').slice(0, schema.maxLength ?? 10_000);
}

interface Mutation {
  label: string;
  apply: (body: Record<string, unknown>) => unknown;
  refusedByContract?: boolean;
}

/** Every property of the body with its path, one nested level deep. */
function propertiesOf(spec: OpenApiDocument, schema: JsonSchema, prefix: string[] = [], depth = 0) {
  const resolved = resolveSchema(spec, schema);
  const out: { path: string[]; schema: JsonSchema; required: boolean }[] = [];
  for (const [name, property] of Object.entries(resolved.properties ?? {})) {
    const resolvedProperty = resolveSchema(spec, property);
    const path = [...prefix, name];
    out.push({ path, schema: resolvedProperty, required: (resolved.required ?? []).includes(name) });
    if (depth < 1 && resolvedProperty.properties)
      out.push(...propertiesOf(spec, resolvedProperty, path, depth + 1));
  }
  return out;
}

const setAt = (body: Record<string, unknown>, path: string[], value: unknown, remove = false) => {
  const copy = structuredClone(body);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
};

function wrongTypeFor(schema: JsonSchema): unknown {
  switch (schema.type) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'twelve';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    default:
      return 'not an object';
  }
}

function propertyMutations(
  spec: OpenApiDocument,
  property: { path: string[]; schema: JsonSchema; required: boolean },
): Mutation[] {
  const { path, schema } = property;
  const name = path.join('.');
  const put = (value: unknown) => (body: Record<string, unknown>) => setAt(body, path, value);
  const list: Mutation[] = [];
  if (property.required)
    list.push({ label: `${name} missing`, apply: (b) => setAt(b, path, undefined, true) });
  if (!schema.nullable) list.push({ label: `${name} null`, apply: put(null) });
  list.push({ label: `${name} wrong type`, apply: put(wrongTypeFor(schema)) });
  if (schema.enum) list.push({ label: `${name} not in enum`, apply: put('__not_an_option__') });
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined)
      list.push({ label: `${name} too long`, apply: put('a'.repeat(schema.maxLength + 1)) });
    list.push({ label: `${name} NUL`, apply: put('a\u0000b'), refusedByContract: true });
    list.push({ label: `${name} control character`, apply: put('bell\u0007'), refusedByContract: true });
    if (schema.format === 'uuid' || schema.format === 'date-time')
      list.push({
        label: `${name} bad ${schema.format}`,
        apply: put(schema.format === 'uuid' ? 'not-a-uuid' : '2030-01-31'),
      });
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    if (schema.maximum !== undefined)
      list.push({ label: `${name} above maximum`, apply: put(schema.maximum + 1) });
    if (schema.minimum !== undefined)
      list.push({ label: `${name} below minimum`, apply: put(schema.minimum - 1) });
  }
  if (schema.type === 'array' && schema.maxItems !== undefined) {
    const item = sampleValue(spec, schema.items ?? {});
    list.push({
      label: `${name} too many items`,
      apply: put(Array.from({ length: schema.maxItems + 1 }, () => item)),
    });
  }
  return list;
}

const nestedArrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

/** The malformed requests of one operation, with path values that reach its handler otherwise. */
export function fuzzRequests(
  spec: OpenApiDocument,
  operation: OperationSpec,
  validPathValues: Record<string, string>,
): FuzzRequest[] {
  const seed = FUZZ_SEED + [...operation.operationId].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  const requests: FuzzRequest[] = [];
  const validQuery: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    if (parameter.in === 'query' && parameter.required)
      validQuery[parameter.name] = String(sampleValue(spec, parameter.schema));
  }
  const baseBody = operation.jsonBody
    ? (sampleValue(spec, operation.jsonBody.schema) as Record<string, unknown>)
    : undefined;
  const base = (): Omit<FuzzRequest, 'label' | 'target' | 'refusedByContract'> => ({
    pathValues: { ...validPathValues },
    query: { ...validQuery },
    body:
      baseBody !== undefined
        ? { json: baseBody }
        : operation.textBody
          ? { raw: 'term', contentType: operation.textBody.contentType }
          : undefined,
  });

  // Path parameters: each one malformed four ways.
  for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
    const variants: [string, string, boolean][] = [
      ['not a uuid', 'not-a-uuid', false],
      ['300 characters', 'a'.repeat(300), false],
      ['bad percent-encoding', '%E0%A4%A', true],
      ['encoded NUL', '%00', true],
    ];
    for (const [label, value, refusedByContract] of variants) {
      const request = base();
      request.pathValues[parameter.name] = value;
      requests.push({
        ...request,
        label: `path ${parameter.name}: ${label}`,
        refusedByContract,
        target: { in: 'path', name: parameter.name },
      });
    }
  }

  // Query parameters.
  const queryMutations: FuzzRequest[] = [];
  for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
    const schema = resolveSchema(spec, parameter.schema);
    const values: [string, string, boolean][] = [['control character', 'x\u0001y', true]];
    if (schema.enum) values.push(['not in enum', '__not_an_option__', false]);
    if (schema.type === 'integer' || schema.type === 'number') {
      values.push(['not a number', 'abc', false]);
      if (schema.maximum !== undefined) values.push(['above maximum', String(schema.maximum + 1), false]);
      if (schema.minimum !== undefined) values.push(['below minimum', String(schema.minimum - 1), false]);
    }
    if (schema.type === 'string') {
      values.push(['over-long', 'q'.repeat((schema.maxLength ?? 2000) + 1), false]);
      if (schema.format) values.push([`bad ${schema.format}`, `not-a-${schema.format}`, false]);
    }
    if (parameter.name === 'cursor') {
      values.push([
        'cursor holding a NUL',
        Buffer.from(JSON.stringify({ v: 'a\u0000', id: 'b' })).toString('base64url'),
        true,
      ]);
      values.push(['cursor of garbage', Buffer.from('{"v":').toString('base64url'), true]);
    }
    for (const [label, value, refusedByContract] of values) {
      const request = base();
      request.query[parameter.name] = value;
      queryMutations.push({
        ...request,
        label: `query ${parameter.name}: ${label}`,
        refusedByContract,
        target: { in: 'query', name: parameter.name },
      });
    }
  }
  requests.push(...pick(queryMutations, MAX_QUERY_MUTATIONS, seed));

  // The body.
  if (operation.jsonBody && baseBody !== undefined) {
    const whole: Mutation[] = [
      { label: 'body null', apply: () => null },
      { label: 'body an array', apply: () => [baseBody] },
      { label: 'body a string', apply: () => 'text' },
      { label: 'body a number', apply: () => 42 },
      { label: 'unknown field', apply: (b) => ({ ...b, __unknownField: true }), refusedByContract: true },
    ];
    const perProperty = propertiesOf(spec, operation.jsonBody.schema).flatMap((p) =>
      propertyMutations(spec, p),
    );
    const chosen = [...whole, ...pick(perProperty, MAX_BODY_MUTATIONS - whole.length, seed)];
    for (const mutation of chosen) {
      const request = base();
      request.body = { json: mutation.apply(baseBody) };
      requests.push({
        ...request,
        label: `body: ${mutation.label}`,
        refusedByContract: !!mutation.refusedByContract,
        target: { in: 'body' },
      });
    }
    const deep = base();
    deep.body = { raw: `{"nested":${nestedArrays(5000)}}`, contentType: 'application/json' };
    requests.push({
      ...deep,
      label: 'body: nested 5,000 levels',
      refusedByContract: true,
      target: { in: 'body' },
    });
    const broken = base();
    broken.body = { raw: '{"unterminated": ', contentType: 'application/json' };
    requests.push({ ...broken, label: 'body: not JSON', refusedByContract: true, target: { in: 'body' } });
  }
  if (operation.textBody) {
    const request = base();
    request.body = { raw: 'term\u0000with NUL\n', contentType: operation.textBody.contentType };
    requests.push({
      ...request,
      label: 'text body with NUL',
      refusedByContract: true,
      target: { in: 'body' },
    });
  }
  return requests;
}

/** A seeded choice of at most `count` items, in a stable order. */
function pick<T>(items: T[], count: number, seed: number): T[] {
  if (items.length <= count) return items;
  const indexes = sampleOf(
    fc.shuffledSubarray([...items.keys()], { minLength: count, maxLength: count }),
    seed,
  );
  return indexes.sort((a, b) => a - b).map((i) => items[i]);
}
