import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../../platform/database/query-rows';
import { OrganizationTimeZones } from '../../organizations/organization-time-zones';
import { encodePersonSet } from './person-set';

/** The dimension columns of every rollup table, in the order the statements below use them. */
const DIMS = 'social_account_id, channel, campaign_id, utm_source, utm_medium, utm_campaign, device_type';
const COUNTS = 'page_views, events, sessions, bounces, session_ms, conversions, purchases, amount_fen';

// One local day of one organization, recomputed from its raw events: $1 org, $2 the day, $3 the zone,
// $4/$5 the instants the day starts and ends. A session is a sessionId's events within the day; it
// counts in the hour it starts, with the dimensions of its first event.
const BUILD_HOURS = `
  WITH ev AS (
    SELECT occurred_at, event_id, type, session_id, amount_fen, ${DIMS}
      FROM analytics_events WHERE org_id = $1 AND occurred_at >= $4 AND occurred_at < $5
  ), first_events AS (
    SELECT DISTINCT ON (session_id) session_id, occurred_at AS started, ${DIMS}
      FROM ev WHERE session_id IS NOT NULL ORDER BY session_id, occurred_at, event_id
  ), session_stats AS (
    SELECT session_id, max(occurred_at) AS ended, count(*) FILTER (WHERE type <> 'session_start') AS interactions
      FROM ev WHERE session_id IS NOT NULL GROUP BY session_id
  ), parts AS (
    SELECT date_trunc('hour', occurred_at, $3) AS hour, ${DIMS},
           count(*) FILTER (WHERE type = 'page_view') AS page_views, count(*) AS events,
           0 AS sessions, 0 AS bounces, 0::bigint AS session_ms,
           count(*) FILTER (WHERE type IN ('conversion', 'purchase')) AS conversions,
           count(*) FILTER (WHERE type = 'purchase') AS purchases, coalesce(sum(amount_fen), 0) AS amount_fen
      FROM ev GROUP BY 1, ${DIMS}
    UNION ALL
    SELECT date_trunc('hour', f.started, $3), ${DIMS.split(', ')
      .map((c) => `f.${c}`)
      .join(', ')},
           0, 0, 1, (s.interactions <= 1)::int, (extract(epoch FROM s.ended - f.started) * 1000)::bigint, 0, 0, 0
      FROM first_events f JOIN session_stats s USING (session_id)
  )
  INSERT INTO analytics_rollup_hours (org_id, day, hour, ${DIMS}, ${COUNTS})
  SELECT $1, $2::date, hour, ${DIMS}, ${COUNTS.split(', ')
    .map((c) => `sum(${c})`)
    .join(', ')}
    FROM parts GROUP BY hour, ${DIMS}`;

const BUILD_DAY = `
  INSERT INTO analytics_rollup_days (org_id, day, ${DIMS}, ${COUNTS})
  SELECT org_id, day, ${DIMS}, ${COUNTS.split(', ')
    .map((c) => `sum(${c})`)
    .join(', ')}
    FROM analytics_rollup_hours WHERE org_id = $1 AND day = $2::date
   GROUP BY org_id, day, ${DIMS}`;

// One row per person (userId, else anonymousId) and dimension combination of the day, with the local
// hours of the day the person was active in as a bit set (bit h = hour h), for exact distinct counts.
const BUILD_PERSONS = `
  INSERT INTO analytics_person_days (org_id, day, person, ${DIMS}, hours, events, conversions)
  SELECT $1, $2::date, coalesce(user_id, anonymous_id), ${DIMS},
         bit_or(1 << extract(hour FROM occurred_at AT TIME ZONE $3)::int), count(*),
         count(*) FILTER (WHERE type IN ('conversion', 'purchase'))
    FROM analytics_events WHERE org_id = $1 AND occurred_at >= $4 AND occurred_at < $5
   GROUP BY coalesce(user_id, anonymous_id), ${DIMS}`;

// The day's additive counts over every dimension combination and the accounts its events name, for
// the day-set row (the unfiltered traffic report checks the accounts against the caller's).
const DAY_TOTALS = `
  SELECT coalesce(sum(page_views), 0) AS page_views, coalesce(sum(sessions), 0) AS sessions,
         coalesce(sum(bounces), 0) AS bounces, coalesce(sum(session_ms), 0) AS session_ms,
         coalesce(array_agg(DISTINCT social_account_id) FILTER (WHERE social_account_id IS NOT NULL), '{}') AS account_ids
    FROM analytics_rollup_days WHERE org_id = $1 AND day = $2::date`;

// New persons of an organization get the next dense ordinals, in a short transaction of their own
// under a per-organization advisory lock (so ordinals never collide, and no day's transaction waits
// on another's): an ordinal assigned for a day whose transaction then rolls back is harmless.
const ASSIGN_ORDINALS = `
  INSERT INTO analytics_persons (org_id, person, ordinal)
  SELECT $1, n.person,
         (SELECT coalesce(max(ordinal), -1) FROM analytics_persons WHERE org_id = $1)
           + row_number() OVER (ORDER BY n.person)
    FROM (SELECT DISTINCT unnest($2::text[]) AS person) n
   WHERE NOT EXISTS (SELECT 1 FROM analytics_persons o WHERE o.org_id = $1 AND o.person = n.person)`;

export interface DirtyRun {
  /** Dirty hour marks consumed. */
  marks: number;
  /** Local days recomputed, as `orgId/day`. */
  days: string[];
}

/**
 * Builds the rollups: recomputes whole local days of an organization from its raw events (the hourly
 * and daily counts and the person-days), for the dirty hours ingestion marked or for a range asked to
 * be rebuilt. A day is recomputed under a transaction-scoped advisory lock on (organization, day), so
 * the job, a rebuild and another replica never interleave on the same day, and the delete and insert
 * of a day commit together: a report sees the old day or the new one, never half.
 */
@Injectable()
export class RollupBuilder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly zones: OrganizationTimeZones,
  ) {}

  /** Recomputes one local day (`YYYY-MM-DD` in `timeZone`) inside the caller's transaction. */
  async rebuildDay(manager: EntityManager, orgId: string, day: string, timeZone: string): Promise<void> {
    const start = DateTime.fromISO(day, { zone: timeZone }).startOf('day');
    const params = [orgId, day, timeZone, start.toJSDate(), start.plus({ days: 1 }).toJSDate()];
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('analytics-rollup'), hashtext($1 || $2))`, [
      orgId,
      day,
    ]);
    for (const table of [
      'analytics_rollup_hours',
      'analytics_rollup_days',
      'analytics_person_days',
      'analytics_day_sets',
    ]) {
      await manager.query(`DELETE FROM ${table} WHERE org_id = $1 AND day = $2::date`, [orgId, day]);
    }
    await manager.query(BUILD_HOURS, params);
    await manager.query(BUILD_DAY, [orgId, day]);
    await manager.query(BUILD_PERSONS, params);
    await this.buildDaySet(manager, orgId, day);
  }

  /**
   * The day's set of active persons (as dictionary ordinals) with its totals over every combination:
   * the same persons as the day's person-days, so a union of day sets counts exactly what a
   * `count(DISTINCT person)` over those person-days counts.
   */
  private async buildDaySet(manager: EntityManager, orgId: string, day: string): Promise<void> {
    const persons = (
      await queryRows<{ person: string }>(
        manager,
        `SELECT DISTINCT person FROM analytics_person_days WHERE org_id = $1 AND day = $2::date`,
        [orgId, day],
      )
    ).map((row) => row.person);
    if (persons.length === 0) return;
    const ordinalsOf = (keys: string[]) =>
      queryRows<{ person: string; ordinal: number }>(
        manager,
        `SELECT person, ordinal FROM analytics_persons WHERE org_id = $1 AND person = ANY($2::text[])`,
        [orgId, keys],
      );
    const known = await ordinalsOf(persons);
    let ordinals = known.map((row) => row.ordinal);
    if (known.length < persons.length) {
      const seen = new Set(known.map((row) => row.person));
      const missing = persons.filter((person) => !seen.has(person));
      await this.dataSource.transaction(async (own) => {
        await own.query(`SELECT pg_advisory_xact_lock(hashtext('analytics-persons'), hashtext($1))`, [orgId]);
        await own.query(ASSIGN_ORDINALS, [orgId, missing]);
      });
      const added = await ordinalsOf(missing);
      if (added.length !== missing.length) throw new Error(`persons of ${orgId}/${day} without an ordinal`);
      ordinals = ordinals.concat(added.map((row) => row.ordinal));
    }
    const [totals] = await queryRows<{
      page_views: string;
      sessions: string;
      bounces: string;
      session_ms: string;
      account_ids: string[];
    }>(manager, DAY_TOTALS, [orgId, day]);
    await manager.query(
      `INSERT INTO analytics_day_sets
         (org_id, day, visitors, persons, account_ids, page_views, sessions, bounces, session_ms)
       VALUES ($1, $2::date, $3, $4, $5::uuid[], $6, $7, $8, $9)`,
      [
        orgId,
        day,
        ordinals.length,
        encodePersonSet(ordinals),
        totals.account_ids,
        totals.page_views,
        totals.sessions,
        totals.bounces,
        totals.session_ms,
      ],
    );
  }

  /** Recomputes the days `from`…`to` (inclusive, local), a transaction per day, reporting each. */
  async rebuildRange(
    orgId: string,
    from: string,
    to: string,
    progress: (done: number, total: number) => Promise<void> | void = () => undefined,
  ): Promise<number> {
    const timeZone = await this.zones.of(orgId);
    const days = daysBetween(from, to);
    let done = 0;
    for (const day of days) {
      await this.dataSource.transaction((manager) => this.rebuildDay(manager, orgId, day, timeZone));
      done += 1;
      await progress(done, days.length);
    }
    return done;
  }

  /**
   * Folds in what ingestion marked: takes a batch of dirty hours (SKIP LOCKED, so concurrent runs take
   * different marks), recomputes the local days they touch and deletes the marks, in one transaction:
   * if anything fails the marks come back. A mark committed after the batch was taken stays for the
   * next run, so an event is never left out; repeats only recompute a day again.
   */
  async foldDirty(batch = 5_000): Promise<DirtyRun> {
    const run: DirtyRun = { marks: 0, days: [] };
    for (;;) {
      const step = await this.dataSource.transaction(async (manager) => {
        const marks = await queryRows<{ org_id: string; hour: Date }>(
          manager,
          `DELETE FROM analytics_rollup_dirty WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM analytics_rollup_dirty ORDER BY marked_at LIMIT ${batch} FOR UPDATE SKIP LOCKED))
           RETURNING org_id, hour`,
          [],
        );
        const days = new Map<string, { orgId: string; day: string }>();
        const zoneOf = new Map<string, string>();
        for (const mark of marks) {
          let zone = zoneOf.get(mark.org_id);
          if (!zone) zoneOf.set(mark.org_id, (zone = await this.zones.of(mark.org_id)));
          // A UTC hour can straddle two local days in zones offset by a fraction of an hour.
          for (const at of [mark.hour.getTime(), mark.hour.getTime() + 3_599_999]) {
            const day = DateTime.fromMillis(at, { zone }).toISODate()!;
            days.set(`${mark.org_id}/${day}`, { orgId: mark.org_id, day });
          }
        }
        const ordered = [...days.entries()].sort(([a], [b]) => a.localeCompare(b));
        for (const [, { orgId, day }] of ordered) {
          await this.rebuildDay(manager, orgId, day, zoneOf.get(orgId)!);
        }
        return { marks: marks.length, days: ordered.map(([key]) => key) };
      });
      run.marks += step.marks;
      run.days.push(...step.days);
      if (step.marks < batch) return run;
    }
  }
}

/** The calendar days `from`…`to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  let cursor = DateTime.fromISO(from, { zone: 'UTC' });
  const last = DateTime.fromISO(to, { zone: 'UTC' });
  while (cursor <= last) {
    days.push(cursor.toISODate()!);
    cursor = cursor.plus({ days: 1 });
  }
  return days;
}
