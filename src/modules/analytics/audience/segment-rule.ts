import Ajv, { ErrorObject } from 'ajv';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { CHANNELS, DEVICE_TYPES, EVENT_TYPES } from '../event.types';

/**
 * The analytics segment rule language, over people (a person is an event's `userId`, else its
 * `anonymousId`). A rule is a group `{ "all": [...] }`, `{ "any": [...] }` or `{ "not": node }` of
 * conditions and nested groups, at most 4 levels deep and 20 conditions in all:
 *   { "event": { "type": "purchase", "minCount": 2, "withinDays": 30 } }   did it at least N times in D days
 *   { "event": { "type": "custom", "name": "signup", "minCount": 1, "withinDays": 7 } }
 *   { "property": { "key": "plan", "equals": "pro" } }   a top-level event property seen with that value
 *   { "device": { "in": ["mobile", "tablet"] } }          used one of these device types
 *   { "channel": { "in": ["search"] } }                   came through one of these channels
 * Property, device and channel conditions look at the person's events in the segment's lookback window;
 * event conditions at their own `withinDays`. The rule is checked against the schema below and compiled
 * to aggregates over one GROUP BY person: values only ever travel as bind parameters.
 */
export type SegmentCondition =
  | { event: { type: string; name?: string; minCount: number; withinDays: number } }
  | { property: { key: string; equals: string | number | boolean } }
  | { device: { in: string[] } }
  | { channel: { in: string[] } };

export type SegmentGroup = { all: SegmentNode[] } | { any: SegmentNode[] } | { not: SegmentNode };
export type SegmentNode = SegmentGroup | SegmentCondition;

export const MAX_DEPTH = 4;
export const MAX_CONDITIONS = 20;
export const MAX_WITHIN_DAYS = 366;

const single = (name: string, inner: object) => ({
  type: 'object',
  required: [name],
  additionalProperties: false,
  properties: { [name]: inner },
});
const list = { type: 'array', minItems: 1, maxItems: MAX_CONDITIONS, items: { $ref: '#/definitions/node' } };
const oneOf = (values: readonly string[]) => ({
  type: 'object',
  required: ['in'],
  additionalProperties: false,
  properties: {
    in: { type: 'array', minItems: 1, maxItems: values.length, uniqueItems: true, items: { enum: values } },
  },
});

const SCHEMA = {
  $id: 'analytics-segment-rule',
  $ref: '#/definitions/group',
  definitions: {
    group: {
      oneOf: [single('all', list), single('any', list), single('not', { $ref: '#/definitions/node' })],
    },
    node: {
      oneOf: [
        { $ref: '#/definitions/group' },
        single('event', {
          type: 'object',
          required: ['type', 'minCount', 'withinDays'],
          additionalProperties: false,
          properties: {
            type: { enum: EVENT_TYPES },
            name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f]*$' },
            minCount: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            withinDays: { type: 'integer', minimum: 1, maximum: MAX_WITHIN_DAYS },
          },
        }),
        single('property', {
          type: 'object',
          required: ['key', 'equals'],
          additionalProperties: false,
          properties: {
            key: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
            equals: {
              oneOf: [
                { type: 'string', minLength: 0, maxLength: 200, pattern: '^[^\\u0000-\\u001f]*$' },
                { type: 'number' },
                { type: 'boolean' },
              ],
            },
          },
        }),
        single('device', oneOf(DEVICE_TYPES)),
        single('channel', oneOf(CHANNELS)),
      ],
    },
  },
};

const ajv = new Ajv({ allErrors: false, strict: true, unicodeRegExp: true });
const validateSchema = ajv.compile<SegmentGroup>(SCHEMA);

const fieldOf = (error: ErrorObject | undefined) =>
  `rule${(error?.instancePath ?? '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}`;

const childrenOf = (node: SegmentNode): SegmentNode[] | null =>
  'all' in node ? node.all : 'any' in node ? node.any : 'not' in node ? [node.not] : null;

/** The rule, checked; a 400 naming the offending part otherwise. */
export function parseSegmentRule(value: unknown): SegmentGroup {
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
    const children = childrenOf(node);
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

/** The longest window any event condition of the rule looks back (0 when none). */
export function longestWithinDays(node: SegmentNode): number {
  const children = childrenOf(node);
  if (children) return Math.max(0, ...children.map(longestWithinDays));
  return 'event' in node ? node.event.withinDays : 0;
}

/**
 * The rule as a HAVING predicate over the events of one person (table alias `e`), placeholders `$n`
 * appended to `params`. `now` anchors the event windows; `lookbackStart` is the start of the segment's
 * own window for property, device and channel conditions (the scan itself starts at the earliest).
 */
export function compileSegmentRule(
  rule: SegmentGroup,
  options: { now: Date; lookbackStart: Date; params: unknown[] },
): string {
  const bind = (value: unknown) => `$${options.params.push(value)}`;
  const inLookback = () => `e.occurred_at >= ${bind(options.lookbackStart)}::timestamptz`;
  const node = (n: SegmentNode): string => {
    if ('all' in n) return `(${n.all.map(node).join(' AND ')})`;
    if ('any' in n) return `(${n.any.map(node).join(' OR ')})`;
    if ('not' in n) return `(NOT ${node(n.not)})`;
    if ('event' in n) {
      const since = new Date(options.now.getTime() - n.event.withinDays * 86_400_000);
      const name = n.event.name === undefined ? '' : ` AND e.name = ${bind(n.event.name)}`;
      return `(count(*) FILTER (WHERE e.type = ${bind(n.event.type)}${name} AND e.occurred_at >= ${bind(since)}::timestamptz) >= ${bind(n.event.minCount)}::int)`;
    }
    if ('property' in n) {
      return `coalesce(bool_or(e.properties -> ${bind(n.property.key)}::text = ${bind(JSON.stringify(n.property.equals))}::jsonb AND ${inLookback()}), false)`;
    }
    if ('device' in n) {
      return `coalesce(bool_or(e.device_type = ANY(${bind(n.device.in)}::text[]) AND ${inLookback()}), false)`;
    }
    return `coalesce(bool_or(e.channel = ANY(${bind(n.channel.in)}::text[]) AND ${inLookback()}), false)`;
  };
  return node(rule);
}
