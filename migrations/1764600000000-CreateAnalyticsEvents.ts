import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analytics event store: `analytics_events` partitioned by calendar month (UTC) of `occurred_at`,
 * a small `analytics_event_ids` table that makes an event id unique per organization across every
 * month, and the organization's analytics settings (the retention window).
 *
 * Why a separate id table: a unique key of a partitioned table must contain the partition key, so
 * `(org_id, event_id)` alone cannot be unique on `analytics_events`, and `(org_id, occurred_at,
 * event_id)` would let a retry with a corrected `occurredAt` in another month count twice. The id table
 * is claimed first (`ON CONFLICT DO NOTHING RETURNING`) in the same statement that inserts the events,
 * so only ids claimed there reach the events table, however many batches race.
 *
 * `org_id` leads every key and index, so distributing by organization (Citus) is a configuration.
 * The current and next months' partitions are created here so ingestion works at once; the partition
 * job creates the rest ahead of time.
 */
export class CreateAnalyticsEvents1764600000000 implements MigrationInterface {
  name = 'CreateAnalyticsEvents1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_settings (
        org_id uuid PRIMARY KEY REFERENCES organizations (id),
        retention_days integer NOT NULL DEFAULT 400 CHECK (retention_days BETWEEN 30 AND 1830),
        updated_by uuid,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);

    await q.query(`
      CREATE TABLE analytics_events (
        org_id uuid NOT NULL,
        event_id uuid NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        received_at timestamptz(3) NOT NULL DEFAULT now(),
        type varchar(16) NOT NULL CHECK (type IN ('page_view', 'session_start', 'click', 'conversion',
          'purchase', 'video_play', 'follow', 'comment', 'share', 'custom')),
        name varchar(100),
        anonymous_id varchar(128),
        user_id varchar(128),
        session_id varchar(128),
        url varchar(2048),
        path varchar(1024),
        referrer varchar(2048),
        referrer_host varchar(255),
        utm_source varchar(200),
        utm_medium varchar(200),
        utm_campaign varchar(200),
        utm_term varchar(200),
        utm_content varchar(200),
        channel varchar(16) NOT NULL CHECK (channel IN ('search', 'social', 'direct', 'email', 'ad', 'referral', 'other')),
        device_type varchar(16) CHECK (device_type IN ('desktop', 'mobile', 'tablet', 'tv', 'other')),
        os varchar(50),
        browser varchar(50),
        screen_width integer,
        screen_height integer,
        locale varchar(35),
        amount_fen bigint CHECK (amount_fen >= 0),
        social_account_id uuid,
        campaign_id uuid,
        ad_id uuid,
        properties jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (org_id, occurred_at, event_id),
        CHECK (anonymous_id IS NOT NULL OR user_id IS NOT NULL),
        CHECK ((type = 'custom') = (name IS NOT NULL)),
        CHECK (amount_fen IS NULL OR type IN ('purchase', 'conversion'))
      ) PARTITION BY RANGE (occurred_at)`);
    // BRIN: rows arrive roughly in time order, so a few pages of summary answer "which blocks hold this
    // hour" for jobs that sweep every organization (rollups of what arrived since a watermark, retention).
    await q.query(
      `CREATE INDEX analytics_events_received_brin ON analytics_events USING brin (received_at) WITH (pages_per_range = 32)`,
    );
    await q.query(
      `CREATE INDEX analytics_events_occurred_brin ON analytics_events USING brin (occurred_at) WITH (pages_per_range = 32)`,
    );
    // Reports filtered to the accounts a member may see read one account's events by time.
    await q.query(
      `CREATE INDEX analytics_events_account_idx ON analytics_events (org_id, social_account_id, occurred_at)
         WHERE social_account_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE analytics_event_ids (
        org_id uuid NOT NULL,
        event_id uuid NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        PRIMARY KEY (org_id, event_id)
      )`);
    // Retention forgets ids together with their events.
    await q.query(
      `CREATE INDEX analytics_event_ids_occurred_brin ON analytics_event_ids USING brin (occurred_at)`,
    );

    for (const offset of [0, 1]) {
      const [{ start, finish, suffix }] = await q.query(
        `SELECT to_char(m, 'YYYY-MM-DD') AS start, to_char(m + interval '1 month', 'YYYY-MM-DD') AS finish,
                to_char(m, '"y"YYYY"m"MM') AS suffix
           FROM (SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $1) AS m) AS x`,
        [offset],
      );
      await q.query(
        `CREATE TABLE analytics_events_${suffix} PARTITION OF analytics_events
           FOR VALUES FROM ('${start} 00:00:00+00') TO ('${finish} 00:00:00+00')`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE analytics_event_ids`);
    await q.query(`DROP TABLE analytics_events`);
    await q.query(`DROP TABLE analytics_settings`);
  }
}
