import { canonicalJson, isoFromMicros } from './usage-chain';
import { UsageRecordRow } from './usage-record-row';

/**
 * The export's columns. Columns 2–13 are the hashed fields in canonical order (docs/social-accounts.md),
 * so an auditor recomputes every hash from the file alone; `occurred_at` is for people and not hashed.
 */
export const CSV_COLUMNS = [
  'id',
  'account_id',
  'seq',
  'brand_org_id',
  'actor_org_id',
  'agency_org_id',
  'actor_user_id',
  'api_key_id',
  'action',
  'ip',
  'request_id',
  'occurred_at_micros',
  'details',
  'prev_hash',
  'hash',
  'occurred_at',
] as const;

// Spreadsheets run a cell starting with one of = + - @ (or tab / CR) as a formula. Such a cell gets a
// leading apostrophe, and so does a cell already starting with one, so that the rule reverses without
// ambiguity: an auditor drops exactly one leading apostrophe from any cell that has one.
const NEEDS_GUARD = /^[=+\-@\t\r']/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: NULL is an empty cell (the schema keeps empty strings out of nullable text columns). */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const guarded = NEEDS_GUARD.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** RFC 4180 line endings. */
export const csvLine = (cells: (string | null)[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** UTF-8 byte order mark first, so spreadsheet programs read Chinese text as UTF-8. */
export const csvHeader = (): string => `\ufeff${csvLine([...CSV_COLUMNS])}`;

export function csvRecord(row: UsageRecordRow): string {
  let details: string;
  try {
    details = canonicalJson(row.details);
  } catch {
    // Only a row changed behind the application's back holds what cannot be canonical (a decimal, say);
    // it is exported as stored, and its hash will not verify, which is the truth about it.
    details = JSON.stringify(row.details);
  }
  return csvLine([
    row.id,
    row.account_id,
    row.seq,
    row.brand_org_id,
    row.actor_org_id,
    row.agency_org_id,
    row.actor_user_id,
    row.api_key_id,
    row.action,
    row.ip,
    row.request_id,
    row.occurred_at_micros,
    details,
    row.prev_hash,
    row.hash,
    isoFromMicros(row.occurred_at_micros),
  ]);
}
