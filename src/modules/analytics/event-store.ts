import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EventPartitions } from './event-partitions';
import { DEFAULT_RETENTION_DAYS, EventRow } from './event.types';

/** The columns of one insert, each beside the SQL type of its array and how a row fills it. */
const COLUMNS: { column: string; type: string; value: (row: EventRow) => unknown }[] = [
  { column: 'event_id', type: 'uuid', value: (r) => r.eventId },
  { column: 'occurred_at', type: 'timestamptz', value: (r) => r.occurredAt.toISOString() },
  { column: 'type', type: 'text', value: (r) => r.type },
  { column: 'name', type: 'text', value: (r) => r.name },
  { column: 'anonymous_id', type: 'text', value: (r) => r.anonymousId },
  { column: 'user_id', type: 'text', value: (r) => r.userId },
  { column: 'session_id', type: 'text', value: (r) => r.sessionId },
  { column: 'url', type: 'text', value: (r) => r.url },
  { column: 'path', type: 'text', value: (r) => r.path },
  { column: 'referrer', type: 'text', value: (r) => r.referrer },
  { column: 'referrer_host', type: 'text', value: (r) => r.referrerHost },
  { column: 'utm_source', type: 'text', value: (r) => r.utmSource },
  { column: 'utm_medium', type: 'text', value: (r) => r.utmMedium },
  { column: 'utm_campaign', type: 'text', value: (r) => r.utmCampaign },
  { column: 'utm_term', type: 'text', value: (r) => r.utmTerm },
  { column: 'utm_content', type: 'text', value: (r) => r.utmContent },
  { column: 'channel', type: 'text', value: (r) => r.channel },
  { column: 'device_type', type: 'text', value: (r) => r.deviceType },
  { column: 'os', type: 'text', value: (r) => r.os },
  { column: 'browser', type: 'text', value: (r) => r.browser },
  { column: 'screen_width', type: 'int', value: (r) => r.screenWidth },
  { column: 'screen_height', type: 'int', value: (r) => r.screenHeight },
  { column: 'locale', type: 'text', value: (r) => r.locale },
  { column: 'amount_fen', type: 'bigint', value: (r) => r.amountFen },
  { column: 'social_account_id', type: 'uuid', value: (r) => r.socialAccountId },
  { column: 'campaign_id', type: 'uuid', value: (r) => r.campaignId },
  { column: 'ad_id', type: 'uuid', value: (r) => r.adId },
  { column: 'properties', type: 'jsonb', value: (r) => JSON.stringify(r.properties) },
];

// One statement per batch: the rows travel as one array per column (unnest), the ids are claimed in
// analytics_event_ids first, and only the rows whose id was claimed here reach the events table. A
// repeat (a retried batch, a concurrent duplicate) loses the claim and is counted as a duplicate. The
// hours of the stored events are marked dirty for the rollups (rollups/rollup-builder.ts).
const INSERT_EVENTS = `
  WITH input AS (
    SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 2}::${c.type === 'jsonb' ? 'text' : c.type}[]`).join(', ')})
      AS i(${COLUMNS.map((c) => c.column).join(', ')})
  ), claimed AS (
    INSERT INTO analytics_event_ids (org_id, event_id, occurred_at)
    SELECT $1, event_id, occurred_at FROM input
    ON CONFLICT DO NOTHING
    RETURNING event_id
  ), stored AS (
    INSERT INTO analytics_events (org_id, received_at, ${COLUMNS.map((c) => c.column).join(', ')})
    SELECT $1, $${COLUMNS.length + 2}, ${COLUMNS.map((c) => (c.type === 'jsonb' ? `i.${c.column}::jsonb` : `i.${c.column}`)).join(', ')}
      FROM input i JOIN claimed USING (event_id)
    RETURNING occurred_at
  ), dirty AS (
    -- The hours the stored events fall in, for the rollup job (late events included): written in the
    -- same statement, so a committed event always has its hour marked. Plain inserts, never a conflict
    -- to wait on; the job folds repeats.
    INSERT INTO analytics_rollup_dirty (org_id, hour)
    SELECT DISTINCT $1::uuid, date_trunc('hour', occurred_at) FROM stored
  )
  SELECT count(*)::int AS stored FROM stored`;

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
  prepare(rows: readonly EventRow[]): Promise<void> {
    return this.partitions.ensure(rows.map((row) => row.occurredAt));
  }

  /**
   * Stores the events whose ids the organization has not stored before, in one statement; answers how
   * many were stored (the rest were duplicates). The rows' ids must be distinct.
   */
  async insert(
    manager: EntityManager,
    orgId: string,
    rows: readonly EventRow[],
    receivedAt: Date,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const parameters = [orgId, ...COLUMNS.map((c) => rows.map(c.value)), receivedAt];
    const [{ stored }] = await manager.query(INSERT_EVENTS, parameters);
    return stored as number;
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
