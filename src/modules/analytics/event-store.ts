import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { finished } from 'node:stream/promises';
import { DataSource, EntityManager } from 'typeorm';
import { EventPartitions } from './event-partitions';
import { DEFAULT_RETENTION_DAYS, EventRow } from './event.types';

/** The columns a batch carries, in `encodeEventRow`'s order, with their types in the staging table. */
const COLUMNS: { column: string; type: string }[] = [
  { column: 'event_id', type: 'uuid' },
  { column: 'occurred_at', type: 'timestamptz' },
  { column: 'type', type: 'text' },
  { column: 'name', type: 'text' },
  { column: 'anonymous_id', type: 'text' },
  { column: 'user_id', type: 'text' },
  { column: 'session_id', type: 'text' },
  { column: 'url', type: 'text' },
  { column: 'path', type: 'text' },
  { column: 'referrer', type: 'text' },
  { column: 'referrer_host', type: 'text' },
  { column: 'utm_source', type: 'text' },
  { column: 'utm_medium', type: 'text' },
  { column: 'utm_campaign', type: 'text' },
  { column: 'utm_term', type: 'text' },
  { column: 'utm_content', type: 'text' },
  { column: 'channel', type: 'text' },
  { column: 'device_type', type: 'text' },
  { column: 'os', type: 'text' },
  { column: 'browser', type: 'text' },
  { column: 'screen_width', type: 'int' },
  { column: 'screen_height', type: 'int' },
  { column: 'locale', type: 'text' },
  { column: 'amount_fen', type: 'bigint' },
  { column: 'social_account_id', type: 'uuid' },
  { column: 'campaign_id', type: 'uuid' },
  { column: 'ad_id', type: 'uuid' },
  { column: 'properties', type: 'jsonb' },
];

const STAGING = 'analytics_events_staging';

/** The connections (pg clients) whose session has the staging table already. */
const staged = new WeakSet<object>();

/**
 * Per connection, a temporary staging table the batch is copied into (`COPY … FROM STDIN`, text format:
 * PostgreSQL parses it in C, no array literals to build in JavaScript or to parse on the server). It is
 * emptied at every commit (`ON COMMIT DELETE ROWS`, an in-place truncate), never logged, never seen by
 * another session.
 */
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (
  ${COLUMNS.map((c) => `${c.column} ${c.type}`).join(',\n  ')}
) ON COMMIT DELETE ROWS`;

const COPY_STAGING = `COPY ${STAGING} (${COLUMNS.map((c) => c.column).join(', ')}) FROM STDIN`;

// One statement per batch, from the staging table: the ids are claimed in analytics_event_ids first,
// and only the rows whose id was claimed here reach the events table. A repeat (a retried batch, a
// concurrent duplicate) loses the claim (ON CONFLICT waits for the other transaction, then skips) and
// is counted as a duplicate. Prepared once per connection (a named statement). The hours of the stored
// events are marked dirty for the rollups (rollups/rollup-builder.ts).
const STORE_STAGED = `
  WITH claimed AS (
    INSERT INTO analytics_event_ids (org_id, event_id, occurred_at)
    SELECT $1, event_id, occurred_at FROM ${STAGING}
    ON CONFLICT DO NOTHING
    RETURNING event_id
  ), stored AS (
    INSERT INTO analytics_events (org_id, received_at, ${COLUMNS.map((c) => c.column).join(', ')})
    SELECT $1, $2, ${COLUMNS.map((c) => `s.${c.column}`).join(', ')}
      FROM ${STAGING} s JOIN claimed USING (event_id)
    RETURNING occurred_at
  ), dirty AS (
    -- The hours the stored events fall in, for the rollup job (late events included): written in the
    -- same statement, so a committed event always has its hour marked. Plain inserts, never a conflict
    -- to wait on; the job folds repeats.
    INSERT INTO analytics_rollup_dirty (org_id, hour)
    SELECT DISTINCT $1::uuid, date_trunc('hour', occurred_at) FROM stored
  )
  SELECT count(*)::int AS stored FROM stored`;

/** Characters COPY's text format escapes (control characters are refused before this, but rows may come from elsewhere). */
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function copyText(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : value;
}

const copyCell = (value: string | number | null): string =>
  value === null ? '\\N' : typeof value === 'number' ? String(value) : copyText(value);

/**
 * One event as a line of COPY's text format, in the staging table's column order. Ingestion encodes
 * each event as soon as it is accepted, so a batch waiting for the database holds these lines only.
 */
export function encodeEventRow(row: EventRow): string {
  return (
    row.eventId +
    '\t' +
    row.occurredAt.toISOString() +
    '\t' +
    row.type +
    '\t' +
    copyCell(row.name) +
    '\t' +
    copyCell(row.anonymousId) +
    '\t' +
    copyCell(row.userId) +
    '\t' +
    copyCell(row.sessionId) +
    '\t' +
    copyCell(row.url) +
    '\t' +
    copyCell(row.path) +
    '\t' +
    copyCell(row.referrer) +
    '\t' +
    copyCell(row.referrerHost) +
    '\t' +
    copyCell(row.utmSource) +
    '\t' +
    copyCell(row.utmMedium) +
    '\t' +
    copyCell(row.utmCampaign) +
    '\t' +
    copyCell(row.utmTerm) +
    '\t' +
    copyCell(row.utmContent) +
    '\t' +
    row.channel +
    '\t' +
    copyCell(row.deviceType) +
    '\t' +
    copyCell(row.os) +
    '\t' +
    copyCell(row.browser) +
    '\t' +
    copyCell(row.screenWidth) +
    '\t' +
    copyCell(row.screenHeight) +
    '\t' +
    copyCell(row.locale) +
    '\t' +
    copyCell(row.amountFen) +
    '\t' +
    copyCell(row.socialAccountId) +
    '\t' +
    copyCell(row.campaignId) +
    '\t' +
    copyCell(row.adId) +
    '\t' +
    copyText(row.propertiesJson ?? JSON.stringify(row.properties)) +
    '\n'
  );
}

/**
 * A batch being gathered for the store, encoded as it grows: each accepted event is written at once
 * as its COPY line into one Buffer (outside V8's heap), so a batch waiting for the database holds no
 * parsed objects, and the JavaScript heap does not grow with what imports pass through it. Reusable:
 * `clear()` after a batch is stored keeps the Buffer for the next one.
 */
export class EncodedBatch {
  private buffer: Buffer;
  private used = 0;
  /** Events in the batch (their ids are distinct: the caller removes repeats). */
  count = 0;
  /** One time per month the batch touches, for `EventStore.prepare`. */
  private readonly months = new Map<number, Date>();

  constructor(initialBytes = 256 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  add(row: EventRow): void {
    const line = encodeEventRow(row);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.used + line.length * 3 > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + line.length * 3));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.used += this.buffer.write(line, this.used, 'utf8');
    this.count += 1;
    const at = row.occurredAt;
    const month = at.getUTCFullYear() * 12 + at.getUTCMonth();
    if (!this.months.has(month)) this.months.set(month, at);
  }

  /** The COPY data so far (a view of the Buffer: valid until the next `add` or `clear`). */
  data(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  /** The months' representative times, shaped as `EventStore.prepare` takes them. */
  times(): { occurredAt: Date }[] {
    return [...this.months.values()].map((occurredAt) => ({ occurredAt }));
  }

  clear(): void {
    this.used = 0;
    this.count = 0;
    this.months.clear();
  }
}

/**
 * The event store: the one way into `analytics_events` and `analytics_event_ids`. Ingestion writes
 * through `insert`; report code (a later phase) reads through methods added here, never the tables,
 * so moving the events to Citus or ClickHouse changes this class, not its callers.
 */
@Injectable()
export class EventStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partitions: EventPartitions,
  ) {}

  /** The organization's retention window in days (its setting, else the documented default). */
  async retentionDays(orgId: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const rows: { days: number }[] = await manager.query(
      `SELECT retention_days AS days FROM analytics_settings WHERE org_id = $1`,
      [orgId],
    );
    return rows[0]?.days ?? DEFAULT_RETENTION_DAYS;
  }

  /** Makes sure the months of `rows` have partitions; call before the transaction that inserts them. */
  prepare(rows: readonly { occurredAt: Date }[]): Promise<void> {
    return this.partitions.ensure(rows.map((row) => row.occurredAt));
  }

  /**
   * Stores the events whose ids the organization has not stored before; answers how many were stored
   * (the rest were duplicates). The rows' ids must be distinct. Run it inside a transaction (`manager`
   * of `dataSource.transaction`); without one it opens its own.
   */
  insert(
    manager: EntityManager,
    orgId: string,
    rows: readonly EventRow[],
    receivedAt: Date,
  ): Promise<number> {
    const batch = new EncodedBatch();
    for (const row of rows) batch.add(row);
    return this.insertBatch(manager, orgId, batch, receivedAt);
  }

  /**
   * `insert` for a batch gathered as an `EncodedBatch` (partitions prepared): its COPY data goes into
   * the connection's staging table, then one statement claims the ids and moves the claimed rows into
   * `analytics_events`.
   */
  async insertBatch(
    manager: EntityManager,
    orgId: string,
    batch: EncodedBatch,
    receivedAt: Date,
  ): Promise<number> {
    if (batch.count === 0) return 0;
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      return this.dataSource.transaction((inner) => this.insertBatch(inner, orgId, batch, receivedAt));
    }
    const client = (await runner.connect()) as PoolClient;
    if (!staged.has(client)) {
      await client.query(CREATE_STAGING);
      staged.add(client);
    }
    const copy = client.query(copyFrom(COPY_STAGING));
    const done = finished(copy);
    copy.end(batch.data());
    await done;
    const result = await client.query<{ stored: number }>({
      name: 'analytics_store_staged',
      text: STORE_STAGED,
      values: [orgId, receivedAt],
    });
    return result.rows[0].stored;
  }

  /**
   * The sum (integer fen) and count of `purchase` events per user id, for those of `userIds` that have
   * any, in one statement (an index-only read of `analytics_events_purchases_by_user_idx`). Events past
   * the retention window are gone, so this is the total within it. Sums are exact as bigint and read as
   * numbers, which stay exact up to 2^53 fen (about 90 billion yuan).
   */
  async purchaseTotals(
    orgId: string,
    userIds: readonly string[],
  ): Promise<Map<string, { amountFen: number; purchases: number }>> {
    const totals = new Map<string, { amountFen: number; purchases: number }>();
    if (userIds.length === 0) return totals;
    const rows: { user_id: string; amount_fen: string; purchases: number }[] = await this.dataSource.query(
      `SELECT user_id, sum(amount_fen)::bigint::text AS amount_fen, count(*)::int AS purchases
         FROM analytics_events
        WHERE org_id = $1 AND type = 'purchase' AND user_id = ANY($2::text[])
        GROUP BY user_id`,
      [orgId, [...new Set(userIds)]],
    );
    for (const r of rows) totals.set(r.user_id, { amountFen: Number(r.amount_fen), purchases: r.purchases });
    return totals;
  }

  /** Deletes, in batches, an organization's events (and their ids) older than `cutoff`; answers how many. */
  async deleteOlderThan(orgId: string, cutoff: Date, batch = 10_000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (manager) => {
        const [{ n }] = await manager.query(
          `WITH gone AS (
             DELETE FROM analytics_events
              WHERE (org_id, occurred_at, event_id) IN (
                SELECT org_id, occurred_at, event_id FROM analytics_events
                 WHERE org_id = $1 AND occurred_at < $2 LIMIT ${batch})
             RETURNING event_id)
           , ids AS (DELETE FROM analytics_event_ids x USING gone WHERE x.org_id = $1 AND x.event_id = gone.event_id)
           SELECT count(*)::int AS n FROM gone`,
          [orgId, cutoff],
        );
        return n as number;
      });
      deleted += n;
      if (n < batch) return deleted;
    }
  }
}
