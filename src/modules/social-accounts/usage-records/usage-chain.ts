import { createHash } from 'node:crypto';

/**
 * The canonical form of a usage record and its chain hash. This file is the specification an auditor
 * re-implements (docs/social-accounts.md): change nothing here without a new `CHAIN_FORMAT` version.
 */
export const CHAIN_FORMAT = 'daiyun-usage-v1';

/** prev_hash of the first record of every account's chain. */
export const GENESIS_HASH = '0'.repeat(64);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The fields a record's hash covers, in the order they are hashed. */
export interface ChainedFields {
  accountId: string;
  seq: number;
  brandOrgId: string;
  actorOrgId: string | null;
  agencyOrgId: string | null;
  actorUserId: string | null;
  apiKeyId: string | null;
  action: string;
  ip: string | null;
  requestId: string | null;
  /** UTC microseconds since the Unix epoch, as decimal text: independent of any session time zone. */
  occurredAtMicros: string;
  details: { [key: string]: JsonValue };
}

/**
 * Orders object keys by Unicode code point, which is also the order of their UTF-8 bytes and what
 * Python's `sort_keys=True` and Go's string comparison produce (JavaScript's `<` compares UTF-16 code
 * units, which differs for characters beyond U+FFFF).
 */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * JSON with object keys sorted by code point and no whitespace; arrays keep their order. Strings are
 * escaped as `JSON.stringify` does (`"`, `\`, and control characters only; everything else is raw
 * UTF-8), numbers must be safe integers.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new Error('Usage record details may hold only integers (store decimals as text)');
    }
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new Error(`Usage record details cannot hold a ${typeof value}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort(byCodePoint);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** The canonical text of one record: a JSON array of the fields in a fixed order. */
export function canonicalRecord(fields: ChainedFields): string {
  return canonicalJson([
    CHAIN_FORMAT,
    fields.accountId.toLowerCase(),
    String(fields.seq),
    fields.brandOrgId.toLowerCase(),
    fields.actorOrgId?.toLowerCase() ?? null,
    fields.agencyOrgId?.toLowerCase() ?? null,
    fields.actorUserId?.toLowerCase() ?? null,
    fields.apiKeyId?.toLowerCase() ?? null,
    fields.action,
    fields.ip,
    fields.requestId,
    fields.occurredAtMicros,
    fields.details,
  ]);
}

/** hash = SHA-256( prev_hash (64 hex chars) || canonical text ), as lowercase hex. */
export function chainHash(prevHash: string, fields: ChainedFields): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalRecord(fields), 'utf8').digest('hex');
}

/** Epoch microseconds of a JS Date (millisecond precision) as text. */
export const microsOf = (date: Date): string => `${BigInt(date.getTime()) * 1000n}`;

/** ISO 8601 UTC text with all six fractional digits, e.g. `2026-01-10T08:00:00.123456Z`. */
export function isoFromMicros(micros: string): string {
  const value = BigInt(micros);
  const remainder = ((value % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const seconds = (value - remainder) / 1_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${remainder.toString().padStart(6, '0')}Z`;
}

/** The millisecond Date of epoch microseconds (rounded down), for APIs that speak milliseconds. */
export function dateFromMicros(micros: string): Date {
  const value = BigInt(micros);
  const remainder = ((value % 1000n) + 1000n) % 1000n;
  return new Date(Number((value - remainder) / 1000n));
}

// NUL or a lone UTF-16 surrogate cannot be stored in a jsonb string: PostgreSQL would refuse the row.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const storableText = (text: string): string =>
  text.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE, '\ufffd');

function storable(value: JsonValue): JsonValue {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storable);
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) out[storableText(key)] = storable(item);
  return out;
}

/**
 * Details exactly as they will read back from the jsonb column, so the hash computed at append time is
 * the hash verification recomputes: a JSON round trip drops `undefined` members and turns Dates into
 * ISO text, and characters PostgreSQL cannot store become U+FFFD. Non-integer numbers are refused by
 * `canonicalJson`.
 */
export function normalizeDetails(details: { [key: string]: unknown } | undefined): {
  [key: string]: JsonValue;
} {
  if (details === undefined) return {};
  const parsed = JSON.parse(JSON.stringify(details)) as JsonValue;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('Usage record details must be a JSON object');
  }
  return storable(parsed) as { [key: string]: JsonValue };
}
