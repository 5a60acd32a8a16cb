import { Json, operations, PathParameter, templateParameters } from './contract-checks';
import { patternMaxLength } from './pattern-length';
import { RouteFacts } from './route-facts';

/*
 * Conventions every operation follows, applied to the scanned document in one place so that a new
 * module's routes come out right without anyone remembering: path parameters, the responses every
 * route can give (400, 429, 500) and the headers on them, security of public routes, and string
 * bounds that validation already enforces.
 */

type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One global tag per module, with what it covers. An operation tagged otherwise fails generation. */
export const API_TAGS: { name: string; description: string }[] = [
  { name: 'auth', description: 'Registration, sign-in, sessions and tokens, password reset, login history' },
  {
    name: 'profiles',
    description: 'The signed-in user (`/me`), their profile, and an organization’s enterprise info',
  },
  { name: 'verifications', description: 'Real-name and enterprise verification requests and their review' },
  {
    name: 'organizations',
    description: 'Organizations (tenants), their unit trees, members and invitations',
  },
  { name: 'access', description: 'Permission catalogue, roles, grants, and what a caller may do' },
  { name: 'api-keys', description: 'API keys for partner systems: created with grants, listed, revoked' },
  { name: 'notifications', description: 'Notifications of the signed-in user' },
  { name: 'operation-logs', description: 'The append-only record of who did what in an organization' },
  {
    name: 'social-accounts',
    description: 'Managed Douyin accounts, brand → agency authorizations and member assignments',
  },
  {
    name: 'credentials',
    description: 'The credential vault of managed accounts: stored encrypted, revealed under limits',
  },
  {
    name: 'usage-records',
    description: 'The hash-chained log of actions on a managed account: list, verify, export',
  },
  {
    name: 'content',
    description:
      'The publishing workflow: drafts, review, editor actions, removal and restore, public listings',
  },
  { name: 'content-publishing', description: 'Attempts to publish approved content to Douyin' },
  {
    name: 'moderation',
    description: 'Sensitive-word lexicons, the organization’s moderation policy, live text checks',
  },
  {
    name: 'customers',
    description:
      'Customer profiles (CRM): contact points, tiers, tags, segments, merges, care plans and tasks',
  },
  {
    name: 'service-levels',
    description: 'Service calendars (business hours, holidays, 调休) and SLA policies for customer service',
  },
  {
    name: 'tickets',
    description:
      'Customer-service tickets: states, queues and assignment, messages, canned replies, after-sales, inbound',
  },
  {
    name: 'analytics',
    description: 'Tracked events (batch and NDJSON import) into the month-partitioned event store',
  },
  {
    name: 'ticket-slas',
    description: 'SLAs on tickets: due times, pauses, fulfilment, warnings and breaches',
  },
  {
    name: 'service-reports',
    description:
      'Service reports: first-response and resolution times, SLA attainment, backlog and volume (JSON, CSV, SVG)',
  },
  { name: 'health', description: 'Liveness and readiness probes for orchestrators (not rate limited)' },
];

/** Paths already start with `/api/v1`, so a server is a bare origin. */
export const API_SERVERS: Json = [
  {
    url: 'https://{host}',
    description: 'Production: the Daiyun deployment that issued your credentials',
    variables: { host: { default: 'api.daiyun.dev', description: 'Host name of the deployment' } },
    'x-internal': false,
  },
  {
    url: 'http://localhost:3000',
    description: 'Local development (`npm start`)',
    'x-internal': true,
  },
];

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } };

/** Reusable response headers, named as sent (a linter looks for these exact names). */
export const RESPONSE_HEADERS: JsonObject = {
  'Access-Control-Allow-Origin': {
    description:
      'Sent when the request’s `Origin` is one of the deployment’s allowed origins (`CORS_ORIGINS`)',
    schema: { type: 'string', maxLength: 2048 },
  },
  'X-RateLimit-Limit': {
    description: 'Requests allowed per client and minute (absent when the deployment turns the limit off)',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the window resets',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 },
  },
};

const header = (name: string): Json => ({ $ref: `#/components/headers/${name}` });
const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

const STANDARD_RESPONSES: Record<string, string> = {
  400: 'Invalid input (`validation_failed`, `malformed_json`)',
  429: 'Rate limited (`rate_limited`); wait for Retry-After seconds',
  413: 'The body is larger than the deployment allows (`payload_too_large`)',
  415: 'The body is not in a media type the operation takes (`unsupported_media_type`)',
  500: 'Unexpected error (`internal_error`); the body carries no internals, quote `requestId` to support',
};

const BODY_METHODS = new Set(['post', 'put', 'patch']);

/**
 * Declares every path template parameter on every operation, whatever the handler's decorators say.
 * Routes often read a parameter without `@Param` (the AccessGuard reads `orgId` itself), and the scanner
 * only documents what handlers take; a client generated from such an operation cannot fill the
 * parameter. Path parameters are required, and `format: uuid` when a UUID pipe or `@ApiParam` says so
 * (ids are UUIDs by convention, but the document states only what the server checks).
 */
export function completePathParameters(document: Json, facts: Map<string, RouteFacts>): void {
  for (const { path, operation } of operations(document)) {
    const template = templateParameters(path);
    const declared = (Array.isArray(operation.parameters) ? operation.parameters : []).filter(
      (parameter) => !(isPathParameter(parameter) && !template.includes(String(parameter.name))),
    );
    const uuid = typeof operation.operationId === 'string' ? facts.get(operation.operationId) : undefined;
    const pathParameters = template.map((name): PathParameter => {
      const existing = declared.find((p) => isPathParameter(p) && p.name === name) as
        { description?: Json; schema?: { format?: Json; maxLength?: Json } } | undefined;
      const format = uuid?.uuidParameters.has(name) ? 'uuid' : existing?.schema?.format;
      // A bound the handler declares (a non-UUID parameter such as a signed link) is kept.
      const maxLength = existing?.schema?.maxLength;
      return {
        name,
        in: 'path',
        required: true,
        ...(typeof existing?.description === 'string' ? { description: existing.description } : {}),
        schema: {
          type: 'string',
          ...(typeof format === 'string' ? { format } : {}),
          ...(typeof maxLength === 'number' ? { maxLength } : {}),
        },
      };
    });
    operation.parameters = [
      ...(pathParameters as unknown as Json[]),
      ...declared.filter((parameter) => !isPathParameter(parameter)),
    ];
  }
}

const isPathParameter = (parameter: Json): parameter is JsonObject =>
  isObject(parameter) && parameter.in === 'path';

/**
 * The responses any route can give and the headers on them:
 * - public routes (`x-permission: public`) declare `security: []`, so a client sends no credentials;
 * - 400 where there is input to refuse (parameters, a body, or a method that carries one), 413 and 415
 *   where there is a body;
 * - 429 with Retry-After where the global rate limit applies, and X-RateLimit-* on 2xx/4xx there;
 * - 500 everywhere, in the same problem+json shape;
 * - Access-Control-Allow-Origin on every response (CORS answers for allowed origins only).
 */
export function applyResponseConventions(document: Json, facts: Map<string, RouteFacts>): void {
  if (!isObject(document)) return;
  const components = isObject(document.components) ? document.components : (document.components = {});
  components.headers = { ...(isObject(components.headers) ? components.headers : {}), ...RESPONSE_HEADERS };

  for (const { method, operation } of operations(document)) {
    const fact = typeof operation.operationId === 'string' ? facts.get(operation.operationId) : undefined;
    const rateLimited = fact?.rateLimited ?? true;
    if (operation['x-permission'] === 'public') operation.security = [];

    const responses = isObject(operation.responses) ? operation.responses : (operation.responses = {});
    const hasInput =
      (Array.isArray(operation.parameters) && operation.parameters.length > 0) ||
      operation.requestBody !== undefined ||
      BODY_METHODS.has(method);
    const wanted = [
      '500',
      ...(hasInput ? ['400'] : []),
      // Fastify refuses an oversized or foreign body before any handler runs.
      ...(operation.requestBody !== undefined ? ['413', '415'] : []),
      ...(rateLimited ? ['429'] : []),
    ];
    for (const status of wanted) {
      responses[status] ??= { description: STANDARD_RESPONSES[status], content: PROBLEM };
    }

    for (const [status, response] of Object.entries(responses)) {
      if (!isObject(response)) continue;
      const headers: JsonObject = isObject(response.headers) ? response.headers : {};
      headers['Access-Control-Allow-Origin'] = header('Access-Control-Allow-Origin');
      if (rateLimited && /^[24]/.test(status)) {
        for (const name of RATE_LIMIT_HEADERS) headers[name] = header(name);
      }
      if (status === '429' || status === '423') headers['Retry-After'] = header('Retry-After');
      response.headers = headers;
    }
  }
}

/**
 * `maxLength` for strings whose validation already bounds them: UUIDs (36 characters; every UUID check
 * here accepts only the hyphenated form), calendar dates (`YYYY-MM-DD`), and anchored patterns whose
 * longest match is finite. Generated clients and linters read `maxLength`, not regexes.
 */
export function boundStrings(node: Json): void {
  if (Array.isArray(node)) {
    node.forEach(boundStrings);
    return;
  }
  if (!isObject(node)) return;
  if (node.type === 'string' && typeof node.pattern === 'string') {
    const portable = portablePattern(node.pattern);
    if (portable === undefined) delete node.pattern;
    else node.pattern = portable;
  }
  if (
    node.type === 'string' &&
    node.maxLength === undefined &&
    node.enum === undefined &&
    node.const === undefined
  ) {
    const bound =
      node.format === 'uuid'
        ? 36
        : node.format === 'date'
          ? 10
          : typeof node.pattern === 'string'
            ? patternMaxLength(node.pattern)
            : undefined;
    if (bound !== undefined) node.maxLength = bound;
  }
  for (const value of Object.values(node)) boundStrings(value);
}

/**
 * Patterns as every consumer reads them. Unicode property escapes (`\P{Cc}`) need the `u` flag, which
 * many tools (and generated clients) compile without, turning `\P{Cc}` into a literal "P{Cc}": control
 * characters are spelled as their range instead, and a pattern with any other property escape is left
 * out (the server still enforces it).
 */
export function portablePattern(pattern: string): string | undefined {
  const spelled = pattern
    .replace(/\\P\{Cc\}/g, '[^\\x00-\\x1F\\x7F-\\x9F]')
    .replace(/\\p\{Cc\}/g, '[\\x00-\\x1F\\x7F-\\x9F]');
  return /\\[pP]\{/.test(spelled) ? undefined : spelled;
}

/**
 * `nullable: true` with an `enum` that does not list null allows no null at all (OpenAPI 3.0.3 spells
 * this out, and validators such as Ajv follow it), while the server sends null there: list it.
 */
export function allowNullInNullableEnums(node: Json): void {
  if (Array.isArray(node)) {
    node.forEach(allowNullInNullableEnums);
    return;
  }
  if (!isObject(node)) return;
  // A new array: the one here may be a DTO's own constant (ACTIONS), shared with its validators and with
  // other properties, which must not start accepting null.
  if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null))
    node.enum = [...node.enum, null];
  for (const value of Object.values(node)) allowNullInNullableEnums(value);
}
