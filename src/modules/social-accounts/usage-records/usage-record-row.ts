import { ChainedFields, JsonValue } from './usage-chain';

/** A usage record as read for the API, the export and verification (see RECORD_COLUMNS). */
export interface UsageRecordRow {
  id: string;
  account_id: string;
  seq: string;
  brand_org_id: string;
  actor_org_id: string | null;
  agency_org_id: string | null;
  actor_user_id: string | null;
  api_key_id: string | null;
  action: string;
  ip: string | null;
  request_id: string | null;
  occurred_at_micros: string;
  details: { [key: string]: JsonValue };
  prev_hash: string;
  hash: string;
}

/**
 * The select list that yields UsageRecordRow from `account_usage_records r`, as [expression, alias].
 * The time is read as UTC epoch microseconds computed by PostgreSQL (exact: `extract` answers numeric
 * from PostgreSQL 14 on), never as text or a JS Date, so neither the session's `TimeZone` nor the
 * driver's millisecond dates can change what is hashed. seq travels as text (bigint).
 */
export const RECORD_COLUMNS: [string, string][] = [
  ['r.id', 'id'],
  ['r.account_id', 'account_id'],
  ['r.seq::text', 'seq'],
  ['r.brand_org_id', 'brand_org_id'],
  ['r.actor_org_id', 'actor_org_id'],
  ['r.agency_org_id', 'agency_org_id'],
  ['r.actor_user_id', 'actor_user_id'],
  ['r.api_key_id', 'api_key_id'],
  ['r.action', 'action'],
  ['r.ip', 'ip'],
  ['r.request_id', 'request_id'],
  ['(extract(epoch FROM r.occurred_at) * 1000000)::bigint::text', 'occurred_at_micros'],
  ['r.details', 'details'],
  ['r.prev_hash', 'prev_hash'],
  ['r.hash', 'hash'],
];

/** `expr AS alias, …` for hand-written SQL. */
export const RECORD_SELECT_SQL = RECORD_COLUMNS.map(([expr, alias]) => `${expr} AS ${alias}`).join(', ');

export function chainedFieldsOf(row: UsageRecordRow): ChainedFields {
  return {
    accountId: row.account_id,
    seq: Number(row.seq),
    brandOrgId: row.brand_org_id,
    actorOrgId: row.actor_org_id,
    agencyOrgId: row.agency_org_id,
    actorUserId: row.actor_user_id,
    apiKeyId: row.api_key_id,
    action: row.action,
    ip: row.ip,
    requestId: row.request_id,
    occurredAtMicros: row.occurred_at_micros,
    details: row.details,
  };
}
