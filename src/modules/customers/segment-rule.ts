import Ajv, { ErrorObject } from 'ajv';
import { DomainError, ErrorCode } from '../../platform/errors';
import { CUSTOMER_TIERS } from './customer.types';

/**
 * The segment rule language: a group `{ "all": [...] }` or `{ "any": [...] }` of conditions and nested
 * groups (at most 3 levels, 50 conditions). Conditions:
 *   { "tier": { "in": ["vip", "key"] } }
 *   { "tag": { "has": "wholesale" } }
 *   { "lifetimeValueFen": { "gte": 100000 } }
 *   { "lastContact": { "olderThanDays": 30 } }   (never contacted counts as older)
 *   { "created": { "withinDays": 7 } }
 * A rule is checked against the JSON schema below and compiled into a parameterized predicate: values
 * only ever travel as bind parameters, and column names come from this file alone.
 */
export type SegmentCondition =
  | { tier: { in: string[] } }
  | { tag: { has: string } }
  | { lifetimeValueFen: { gte: number } }
  | { lastContact: { olderThanDays: number } }
  | { created: { withinDays: number } };

export type SegmentRule = { all: SegmentNode[] } | { any: SegmentNode[] };
export type SegmentNode = SegmentRule | SegmentCondition;

const MAX_DEPTH = 3;
const MAX_CONDITIONS = 50;
const DAYS = { type: 'integer', minimum: 1, maximum: 3650 };

const single = (name: string, inner: object) => ({
  type: 'object',
  required: [name],
  additionalProperties: false,
  properties: { [name]: inner },
});
const op = (name: string, schema: object) => ({
  type: 'object',
  required: [name],
  additionalProperties: false,
  properties: { [name]: schema },
});

const SCHEMA = {
  $id: 'segment-rule',
  $ref: '#/definitions/group',
  definitions: {
    group: {
      oneOf: [
        single('all', {
          type: 'array',
          minItems: 1,
          maxItems: MAX_CONDITIONS,
          items: { $ref: '#/definitions/node' },
        }),
        single('any', {
          type: 'array',
          minItems: 1,
          maxItems: MAX_CONDITIONS,
          items: { $ref: '#/definitions/node' },
        }),
      ],
    },
    node: {
      oneOf: [
        { $ref: '#/definitions/group' },
        single(
          'tier',
          op('in', {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            uniqueItems: true,
            items: { enum: CUSTOMER_TIERS },
          }),
        ),
        single('tag', op('has', { type: 'string', pattern: '^[\\p{L}\\p{N}_-]{1,50}$' })),
        single('lifetimeValueFen', op('gte', { type: 'integer', minimum: 0, maximum: 1e15 })),
        single('lastContact', op('olderThanDays', DAYS)),
        single('created', op('withinDays', DAYS)),
      ],
    },
  },
};

const ajv = new Ajv({ allErrors: false, strict: true, unicodeRegExp: true });
const validateSchema = ajv.compile<SegmentRule>(SCHEMA);

const fieldOf = (error: ErrorObject | undefined) =>
  `rule${(error?.instancePath ?? '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}`;

/** The rule, checked; a 400 naming the offending part otherwise. */
export function parseSegmentRule(value: unknown): SegmentRule {
  if (!validateSchema(value)) {
    const error = validateSchema.errors?.[0];
    throw DomainError.validation(
      fieldOf(error),
      `is not a valid segment rule (${error?.message ?? 'invalid'})`,
    );
  }
  let conditions = 0;
  const walk = (node: SegmentNode, depth: number) => {
    if (depth > MAX_DEPTH) throw DomainError.validation('rule', `groups nest at most ${MAX_DEPTH} levels`);
    const children = 'all' in node ? node.all : 'any' in node ? node.any : null;
    if (!children) conditions += 1;
    else for (const child of children) walk(child, depth + 1);
  };
  walk(value, 1);
  if (conditions > MAX_CONDITIONS) {
    throw new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', {
      errors: [{ field: 'rule', message: `at most ${MAX_CONDITIONS} conditions` }],
    });
  }
  return value;
}

/**
 * The rule as a SQL predicate over the customers row aliased `alias`, with its bind parameters named
 * `<prefix>0`, `<prefix>1`, … for a TypeORM query builder. `now` anchors the day-based conditions.
 */
export function compileSegmentRule(
  rule: SegmentRule,
  options: { alias: string; now: Date; prefix?: string },
): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  const prefix = options.prefix ?? 'seg';
  const a = options.alias;
  const bind = (value: unknown) => {
    const name = `${prefix}${Object.keys(params).length}`;
    params[name] = value;
    return `:${name}`;
  };
  const daysAgo = (days: number) => new Date(options.now.getTime() - days * 86_400_000);

  const node = (n: SegmentNode): string => {
    if ('all' in n) return `(${n.all.map(node).join(' AND ')})`;
    if ('any' in n) return `(${n.any.map(node).join(' OR ')})`;
    if ('tier' in n) return `${a}.tier = ANY(CAST(${bind(n.tier.in)} AS text[]))`;
    if ('tag' in n) return `${bind(n.tag.has)} = ANY(${a}.tags)`;
    if ('lifetimeValueFen' in n)
      return `${a}.lifetime_value_fen >= CAST(${bind(n.lifetimeValueFen.gte)} AS bigint)`;
    if ('lastContact' in n) {
      return `(${a}.last_contact_at IS NULL OR ${a}.last_contact_at < CAST(${bind(daysAgo(n.lastContact.olderThanDays))} AS timestamptz))`;
    }
    return `${a}.created_at >= CAST(${bind(daysAgo(n.created.withinDays))} AS timestamptz)`;
  };
  return { sql: node(rule), params };
}
