import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventSelection } from '../report-scope';
import { PathDirection } from './paths.dto';

/** One funnel step as a condition over an event: what `FunnelStepDto` says, already checked. */
export interface StepFilter {
  type?: string;
  name?: string;
  path?: string;
  properties?: Record<string, string | number | boolean>;
}

export interface PathRule {
  pattern: string;
  alias: string;
}

/** Per step: people who reached it, and the median seconds from the step before (null for step 1). */
export interface FunnelCounts {
  persons: number[];
  medianSeconds: (number | null)[];
}

/** A period as SQL bounds: `occurred_at >= start AND occurred_at < end`. */
export interface InstantRange {
  start: Date;
  end: Date;
}

// A person is the signed-in user when the tracker knew one, else the anonymous id (no stitching of
// the two: a visitor who signs in midway counts as two people, as in the traffic reports).
const PERSON = 'coalesce(e.user_id, e.anonymous_id)';

/** Per-statement memory of the behaviour reports (each hash aggregate may use this much). */
const REPORT_WORK_MEM = '64MB';

const bind = (params: unknown[], value: unknown) => `$${params.push(value)}`;

function stepCondition(step: StepFilter, params: unknown[]): string {
  const conditions: string[] = [];
  if (step.name !== undefined) {
    conditions.push(`e.type = 'custom'`, `e.name = ${bind(params, step.name)}`);
  } else if (step.type !== undefined) {
    conditions.push(`e.type = ${bind(params, step.type)}`);
  }
  if (step.path !== undefined) conditions.push(`e.path = ${bind(params, step.path)}`);
  if (step.properties && Object.keys(step.properties).length > 0) {
    conditions.push(`e.properties @> ${bind(params, JSON.stringify(step.properties))}::jsonb`);
  }
  return conditions.length ? `(${conditions.join(' AND ')})` : 'true';
}

/**
 * The page path after the organization's cleaning rules, applied in order (each to the result of the
 * one before), every match replaced.
 */
function cleanedPath(rules: readonly PathRule[], params: unknown[]): string {
  let sql = 'e.path';
  for (const rule of rules) {
    sql = `regexp_replace(${sql}, ${bind(params, rule.pattern)}, ${bind(params, rule.alias)}, 'g')`;
  }
  return sql;
}

/** The label of an event in a path: a page view's cleaned path, `custom:<name>`, or the type. */
function stepLabel(rules: readonly PathRule[], params: unknown[]): string {
  return `CASE WHEN e.type = 'page_view' THEN coalesce(${cleanedPath(rules, params)}, 'page_view')
               WHEN e.type = 'custom' THEN 'custom:' || e.name
               ELSE e.type END`;
}

/** The periods of a retention report: their starts as instants and as local days (`YYYY-MM-DD`). */
export interface RetentionPeriods {
  starts: readonly Date[];
  startDays: readonly string[];
  /** The report's first and last local day, inclusive. */
  fromDay: string;
  toDay: string;
}

/** Where a retention answer was counted from. */
export type RetentionSource = 'person_days' | 'events';

export interface RetentionRow {
  cohort: number;
  period: number;
  persons: number;
}

export interface RetentionAnswer {
  source: RetentionSource;
  rows: RetentionRow[];
}

// Per (person, period) once, the minimum period per person as the cohort, then people per (cohort,
// period): the same tail for both sources.
const RETENTION_COUNTS = `
  SELECT cohort - 1 AS cohort, b - 1 AS period, count(*)::int AS persons
    FROM (SELECT b, min(b) OVER (PARTITION BY person) AS cohort FROM a) x
   GROUP BY cohort, b`;

function retentionFromEvents(
  selection: EventSelection,
  range: InstantRange,
  periods: RetentionPeriods,
): [string, unknown[]] {
  const params: unknown[] = [];
  const where = selection.where('e', params);
  const start = bind(params, range.start);
  const end = bind(params, range.end);
  const starts = bind(
    params,
    periods.starts.map((d) => d.toISOString()),
  );
  // width_bucket over the periods' starts is a binary search per event: no time-zone arithmetic per row.
  const sql = `
    WITH a AS (
      SELECT ${PERSON} AS person, width_bucket(e.occurred_at, ${starts}::timestamptz[]) AS b
        FROM analytics_events e
       WHERE ${where} AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
       GROUP BY 1, 2
    )${RETENTION_COUNTS}`;
  return [sql, params];
}

// A person-day row is a person with at least one event of that combination on that local day, so a
// person is active in a period iff they have a row on one of its days under the filters.
function retentionFromPersonDays(selection: EventSelection, periods: RetentionPeriods): [string, unknown[]] {
  const params: unknown[] = [];
  const where = selection.where('p', params);
  const from = bind(params, periods.fromDay);
  const to = bind(params, periods.toDay);
  const starts = bind(params, periods.startDays);
  const sql = `
    WITH a AS (
      SELECT p.person, width_bucket(p.day, ${starts}::date[]) AS b
        FROM analytics_person_days p
       WHERE ${where} AND p.day >= ${from}::date AND p.day <= ${to}::date
       GROUP BY 1, 2
    )${RETENTION_COUNTS}`;
  return [sql, params];
}

/**
 * The SQL behind funnels, paths and retention. Like `EventStore` it is the only reader of
 * `analytics_events` for these reports: each method takes the caller's `EventSelection` (the
 * organization first, then the accounts and filters its scope allows), reads one organization's period
 * through the primary key `(org_id, occurred_at, event_id)` and aggregates per person inside
 * PostgreSQL, so only the answer's few rows leave the database.
 */
@Injectable()
export class BehaviourQueries {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs one report statement with settings measured on the bench (docs/analytics-behaviour.md): JIT
   * off (its compilation cost ~200 ms per statement and bought nothing on these scans) and enough
   * `work_mem` for the per-person hash aggregates to stay in memory instead of sorting on disk. SET
   * LOCAL keeps both to this transaction.
   */
  private run<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL jit = off`);
      await manager.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
      return manager.query(sql, params) as Promise<T[]>;
    });
  }

  /**
   * Per person: the entry is their first event matching step 1 in the period; step k is reached at the
   * first event matching it strictly after step k−1's, no later than the entry plus the window.
   */
  async funnel(
    selection: EventSelection,
    range: InstantRange,
    steps: readonly StepFilter[],
    windowSeconds: number,
  ): Promise<FunnelCounts> {
    const params: unknown[] = [];
    const where = selection.where('e', params);
    const start = bind(params, range.start);
    const end = bind(params, range.end);
    const window = `make_interval(secs => ${bind(params, windowSeconds)})`;
    const conditions = steps.map((step) => stepCondition(step, params));
    const flags = conditions.map((condition, i) => `${condition} AS s${i + 1}`).join(',\n             ');
    const arrays = conditions
      .slice(1)
      .map((_, i) => `array_agg(t) FILTER (WHERE s${i + 2}) AS a${i + 2}`)
      .join(', ');
    const laterals = conditions
      .slice(1)
      .map(
        (_, i) =>
          `CROSS JOIN LATERAL (SELECT min(x) AS t${i + 2} FROM unnest(p.a${i + 2}) x
              WHERE x > t${i + 1} AND x <= p.t1 + ${window}) l${i + 2}`,
      )
      .join('\n          ');
    const counts = conditions.map((_, i) => `count(t${i + 1})::int AS n${i + 1}`);
    const medians = conditions
      .slice(1)
      .map(
        (_, i) =>
          `percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t${i + 2} - t${i + 1}))::float8 AS m${i + 2}`,
      );
    const sql = `
      WITH m AS (
        SELECT ${PERSON} AS person, e.occurred_at AS t,
             ${flags}
          FROM analytics_events e
         WHERE ${where} AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
           AND (${conditions.join(' OR ')})
      ), p AS (
        SELECT person, min(t) FILTER (WHERE s1) AS t1, ${arrays} FROM m GROUP BY person
      ), c AS (
        SELECT p.t1, ${conditions
          .slice(1)
          .map((_, i) => `t${i + 2}`)
          .join(', ')} FROM p
          ${laterals}
         WHERE p.t1 IS NOT NULL
      )
      SELECT ${[...counts, ...medians].join(', ')} FROM c`;
    const [row] = await this.run<Record<string, number | null>>(sql, params);
    return {
      persons: conditions.map((_, i) => row[`n${i + 1}`] ?? 0),
      medianSeconds: conditions.map((_, i) => (i === 0 ? null : (row[`m${i + 1}`] ?? null))),
    };
  }

  /**
   * Each person's events in the period as a sequence of labels (time order, ties by event id), with
   * consecutive repeats of a label collapsed into one; from the person's first occurrence of `event`,
   * the `depth` steps after (or before) it. Answers the people who had the event and, per level, the
   * transitions (label one level closer → label at this level) taken by the most people.
   */
  async paths(
    selection: EventSelection,
    range: InstantRange,
    options: {
      event: string;
      direction: PathDirection;
      depth: number;
      limit: number;
      rules: readonly PathRule[];
    },
  ): Promise<{
    persons: number;
    transitions: { level: number; from: string; to: string; persons: number }[];
  }> {
    const params: unknown[] = [];
    const where = selection.where('e', params);
    const start = bind(params, range.start);
    const end = bind(params, range.end);
    const label = stepLabel(options.rules, params);
    const event = bind(params, options.event);
    const depth = bind(params, options.depth);
    const limit = bind(params, options.limit);
    const around =
      options.direction === 'after'
        ? `s.n BETWEEN a.anchor AND a.anchor + ${depth}`
        : `s.n BETWEEN a.anchor - ${depth} AND a.anchor`;
    const sql = `
      WITH e AS (
        SELECT ${PERSON} AS person, e.occurred_at, e.event_id, ${label} AS label
          FROM analytics_events e
         WHERE ${where} AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
      ), d AS (
        SELECT person, occurred_at, event_id, label,
               lag(label) OVER (PARTITION BY person ORDER BY occurred_at, event_id) AS previous
          FROM e
      ), s AS (
        SELECT person, label, row_number() OVER (PARTITION BY person ORDER BY occurred_at, event_id) AS n
          FROM d WHERE previous IS DISTINCT FROM label
      ), a AS (
        SELECT person, min(n) AS anchor FROM s WHERE label = ${event} GROUP BY person
      ), l AS (
        SELECT s.person, abs(s.n - a.anchor)::int AS level, s.label FROM s JOIN a USING (person) WHERE ${around}
      ), edges AS (
        SELECT level, lag(label) OVER (PARTITION BY person ORDER BY level) AS from_label, label AS to_label FROM l
      ), counted AS (
        SELECT level, from_label, to_label, count(*)::int AS persons FROM edges WHERE level > 0
         GROUP BY level, from_label, to_label
      ), ranked AS (
        SELECT *, row_number() OVER (PARTITION BY level ORDER BY persons DESC, from_label COLLATE "C", to_label COLLATE "C") AS r
          FROM counted
      )
      SELECT (SELECT count(*)::int FROM a) AS persons,
             (SELECT coalesce(json_agg(json_build_object('level', level, 'from', from_label, 'to', to_label,
                                                         'persons', persons)
                                       ORDER BY level, persons DESC, from_label COLLATE "C", to_label COLLATE "C"), '[]'::json)
                FROM ranked WHERE r <= ${limit}) AS transitions`;
    const [row] = await this.run<{
      persons: number;
      transitions: { level: number; from: string; to: string; persons: number }[];
    }>(sql, params);
    return row;
  }

  /**
   * People active per period, by cohort: a person's cohort is the period of their first event in the
   * report's range. Periods are given by their starts (ascending; the first is the range's start), as
   * instants and as local days of the organization's zone; answers (cohort index, period index,
   * people) with indexes from 0.
   *
   * Reads the person-days rollup (`analytics_person_days`: one row per person, local day and
   * dimension combination, so "active in a period" is "has a row on one of its days") when the rollup
   * holds the whole range, else the raw events. The rollup holds it when no dirty hour mark of the
   * organization touches the range: ingestion marks an event's UTC hour in the statement that stores
   * it, and the rollup job deletes the marks in the transaction that recomputes their days. Both
   * checks and the read run in one REPEATABLE READ snapshot, so an event the snapshot sees is either
   * in the rollup rows it sees or its mark is visible (and the raw path answers). Every filter of the
   * report (account, channel, campaign, UTM, device) is a column of the person-days, so every report
   * can take this path; the two paths give the same numbers (test/analytics-retention-paths.e2e-spec.ts).
   */
  async retention(
    selection: EventSelection,
    range: InstantRange,
    periods: RetentionPeriods,
  ): Promise<RetentionAnswer> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query(`SET LOCAL jit = off`);
      await manager.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
      const dirty = await manager.query<unknown[]>(
        `SELECT 1 FROM analytics_rollup_dirty
          WHERE org_id = $1 AND hour > $2::timestamptz - interval '1 hour' AND hour < $3 LIMIT 1`,
        [selection.orgId, range.start, range.end],
      );
      const source: RetentionSource = dirty.length === 0 ? 'person_days' : 'events';
      const [sql, params] =
        source === 'person_days'
          ? retentionFromPersonDays(selection, periods)
          : retentionFromEvents(selection, range, periods);
      const rows = (await manager.query(sql, params)) as RetentionRow[];
      return { source, rows };
    });
  }

  /** Retention counted from one source, whatever the dirty marks say (the paths' equality test). */
  async retentionFrom(
    source: RetentionSource,
    selection: EventSelection,
    range: InstantRange,
    periods: RetentionPeriods,
  ): Promise<RetentionRow[]> {
    const [sql, params] =
      source === 'person_days'
        ? retentionFromPersonDays(selection, periods)
        : retentionFromEvents(selection, range, periods);
    return this.run<RetentionRow>(sql, params);
  }

  /** Whether PostgreSQL accepts `pattern` as a regular expression (its syntax is the one paths use). */
  async isValidPattern(pattern: string): Promise<string | null> {
    try {
      await this.dataSource.query(`SELECT regexp_replace('', $1, '')`, [pattern]);
      return null;
    } catch (error) {
      if ((error as { code?: string }).code === '2201B') return (error as Error).message;
      throw error;
    }
  }
}
