import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/platform/database/data-source.options';
import { BehaviourQueries, StepFilter } from '../src/modules/analytics/behaviour/behaviour-queries';
import { retentionPeriods } from '../src/modules/analytics/behaviour/behaviour-reports.service';
import { EventSelection } from '../src/modules/analytics/report-scope';
import { RollupBuilder } from '../src/modules/analytics/rollups/rollup-builder';
import { OrganizationTimeZones } from '../src/modules/organizations/organization-time-zones';
import { SystemClock } from '../src/platform/clock/clock';
import { EventPartitions, monthStart } from '../src/modules/analytics/event-partitions';
import { periodBuckets, resolveReportPeriod } from '../src/platform/reports';
import { createBenchDatabase, resolveBenchServer, runBench } from './support';

/**
 * npm run bench:analytics-behaviour: the funnel and retention queries on a large event table.
 *
 * A fresh database gets BENCH_TOTAL_EVENTS (default 10,000,000) events spread over BENCH_DAYS (default
 * 120) days up to now, BENCH_BIG_EVENTS (default 2,000,000) of them in one organization and the rest
 * over BENCH_ORGS (default 49) others, loaded by INSERT … SELECT generate_series (server side, through
 * the table's real indexes). The big organization has BENCH_PEOPLE (default 100,000) people, each active
 * over a stretch of days. Then, BENCH_RUNS (default 5) times each, timed end to end from the client:
 *
 *   - a 3-step funnel (page view of /cart → custom `signup` → purchase, window 1 day) over 7, 14 and
 *     30 days (goal for 30 days: < 1.5 s);
 *   - 8 weekly retention cohorts (goal < 1 s), and 4 weekly cohorts for the growth, from the raw events
 *     and from the person-days rollup (what the endpoint reads when no dirty mark touches the range;
 *     the bench checks both answers are equal);
 *
 * The rollups (hours, days, person-days) of the big organization are built by `RollupBuilder` over every
 * day of the data before measuring, as the rebuild job does (the bulk load bypasses ingestion, so it
 * marks no hours dirty).
 *
 * with the scope of an organization-wide reader (the selection the endpoint builds for an owner). The
 * same again after adding the person index `(org_id, coalesce(user_id, anonymous_id), occurred_at)`
 * (BENCH_PERSON_INDEX=0 skips it), and with a covering index `(org_id, occurred_at) INCLUDE (user_id,
 * anonymous_id, social_account_id)` after a VACUUM (BENCH_COVERING_INDEX=0 skips it), to see whether the
 * queries want either.
 */

const TOTAL = Number(process.env.BENCH_TOTAL_EVENTS ?? 10_000_000);
const BIG = Number(process.env.BENCH_BIG_EVENTS ?? 2_000_000);
const ORGS = Number(process.env.BENCH_ORGS ?? 49);
const DAYS = Number(process.env.BENCH_DAYS ?? 120);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PERSON_INDEX = process.env.BENCH_PERSON_INDEX !== '0';
const COVERING_INDEX = process.env.BENCH_COVERING_INDEX !== '0';
const CHUNK = 1_000_000;
const ZONE = 'Asia/Shanghai';

const STEPS: StepFilter[] = [{ type: 'page_view', path: '/cart' }, { name: 'signup' }, { type: 'purchase' }];

/**
 * Rows n = first … last of one organization: person n % people, each person active over ~3 weeks that
 * start on a day of their own, types and paths by n. `now` is bound as $1.
 */
function insertSql(orgParam: string, people: number, first: number, last: number): string {
  return `
    INSERT INTO analytics_events (org_id, event_id, occurred_at, received_at, type, name, anonymous_id, user_id,
                                  session_id, path, channel, device_type, amount_fen, properties)
    SELECT ${orgParam}, gen_random_uuid(), t.at, t.at, t.type,
           CASE WHEN t.type = 'custom' THEN 'signup' END,
           'anon-' || t.person, CASE WHEN t.person % 3 = 0 THEN 'user-' || t.person END,
           's-' || t.person || '-' || (n / ${people} / 6), t.path, 'direct',
           CASE WHEN n % 4 = 0 THEN 'desktop' ELSE 'mobile' END,
           CASE WHEN t.type = 'purchase' THEN 9900 END, '{}'::jsonb
      FROM generate_series(${first}, ${last}) AS n,
      -- k: the person's k-th event; m a hash of n, so each person has a mix of kinds of event
      LATERAL (SELECT n % ${people} AS person, n / ${people} AS k, (hashint8(n) & 2147483647) % 100 AS m) p,
      LATERAL (
        SELECT p.person,
               -- each person's days: a start day of their own, then the next 21 days, eight events a day
               $1::timestamptz - make_interval(days => ((p.person * 7919) % ${DAYS} + (p.k / 8) % 21) % ${DAYS},
                                               secs => 36000 - (p.k % 8) * 900 - (n * 7) % 900) AS at,
               CASE WHEN p.m < 70 THEN 'page_view' WHEN p.m < 78 THEN 'custom'
                    WHEN p.m < 82 THEN 'purchase' ELSE 'click' END AS type,
               CASE WHEN p.m >= 70 THEN NULL WHEN p.m % 10 = 0 THEN '/cart' WHEN p.m % 10 = 1 THEN '/checkout'
                    WHEN p.m % 10 = 2 THEN '/' ELSE '/products/' || (n % 5000) END AS path
      ) t`;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

runBench(async (cleanup) => {
  const server = await resolveBenchServer();
  const database = await createBenchDatabase(server);
  cleanup(() => database.drop());
  const ds = await new DataSource(buildDataSourceOptions({ url: database.url, poolSize: 2 })).initialize();
  cleanup(() => ds.destroy());
  console.log(`database ${database.name} on ${server.label}`);

  const now = new Date();
  await new EventPartitions(ds).createAhead(monthStart(new Date(now.getTime() - (DAYS + 1) * 86_400_000)), 7);
  const bigOrg = randomUUID();
  const others = Array.from({ length: ORGS }, () => randomUUID());
  for (const [i, id] of [bigOrg, ...others].entries()) {
    await ds.query(`INSERT INTO organizations (id, kind, name) VALUES ($1, 'brand', $2)`, [id, `Bench ${i}`]);
  }

  // Load: the big organization first, then the others in equal shares, a million rows a statement.
  const loadStart = Date.now();
  const plan: { org: string; people: number; count: number }[] = [
    { org: bigOrg, people: PEOPLE, count: BIG },
  ];
  const share = Math.floor((TOTAL - BIG) / ORGS);
  for (const org of others) plan.push({ org, people: Math.max(1000, Math.floor(PEOPLE / 4)), count: share });
  let loaded = 0;
  for (const { org, people, count } of plan) {
    for (let first = 0; first < count; first += CHUNK) {
      const last = Math.min(count, first + CHUNK) - 1;
      await ds.query(insertSql('$2::uuid', people, first, last), [now, org]);
      loaded += last - first + 1;
      process.stderr.write(
        `\rloaded ${loaded.toLocaleString('en')} / ${TOTAL.toLocaleString('en')} events, ${Math.round((Date.now() - loadStart) / 1000)} s`,
      );
    }
  }
  process.stderr.write('\n');
  const loadedIn = Math.round((Date.now() - loadStart) / 1000);
  const analyzed = await timed(() => ds.query('ANALYZE analytics_events'));
  console.log(`inserted in ${loadedIn} s, ANALYZE in ${(analyzed.ms / 1000).toFixed(1)} s`);
  const [{ n: bigCount }] = await ds.query(
    `SELECT count(*)::int AS n FROM analytics_events WHERE org_id = $1`,
    [bigOrg],
  );
  const [{ n: allCount }] = await ds.query(`SELECT count(*)::int AS n FROM analytics_events`);
  console.log(
    `loaded ${allCount.toLocaleString('en')} events (${bigCount.toLocaleString('en')} in the big organization) in ${Math.round((Date.now() - loadStart) / 1000)} s`,
  );

  const builder = new RollupBuilder(ds, new OrganizationTimeZones(ds, new SystemClock()));
  const firstDay = new Date(now.getTime() - (DAYS + 1) * 86_400_000).toISOString().slice(0, 10);
  const lastDay = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const rolled = await timed(() =>
    builder.rebuildRange(bigOrg, firstDay, lastDay, (done, total) => {
      process.stderr.write(`\rrollups: ${done} / ${total} days`);
    }),
  );
  process.stderr.write('\n');
  await ds.query('ANALYZE analytics_person_days');
  const [{ n: personDays }] = await ds.query(
    `SELECT count(*)::int AS n FROM analytics_person_days WHERE org_id = $1`,
    [bigOrg],
  );
  console.log(
    `rollups of the big organization built in ${(rolled.ms / 1000).toFixed(1)} s (${rolled.value} days, ${personDays.toLocaleString('en')} person-days)`,
  );

  const queries = new BehaviourQueries(ds);
  // An organization-wide reader with no social accounts: its events are the unattributed ones (all here).
  const selection = new EventSelection(bigOrg, [], true, {});
  const today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const period = (days: number) =>
    resolveReportPeriod(
      { from: new Date(Date.parse(today) - (days - 1) * 86_400_000).toISOString().slice(0, 10), to: today },
      ZONE,
      now,
    );
  const eventsIn = async (start: Date, end: Date) => {
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM analytics_events WHERE org_id = $1 AND occurred_at >= $2 AND occurred_at < $3`,
      [bigOrg, start, end],
    );
    return n as number;
  };

  const measure = async (label: string) => {
    console.log(`\n== ${label}`);
    for (const days of [7, 14, 30]) {
      const p = period(days);
      const events = await eventsIn(p.start, p.end);
      const runs: number[] = [];
      let entered = 0;
      let converted = 0;
      for (let r = 0; r < RUNS; r += 1) {
        const { ms, value } = await timed(() => queries.funnel(selection, p, STEPS, 86_400));
        runs.push(ms);
        [entered, converted] = [value.persons[0], value.persons[2]];
      }
      console.log(
        `funnel, 3 steps, ${days} days (${events.toLocaleString('en')} events): runs ${runs.map((ms) => ms.toFixed(0)).join(', ')} ms; median ${median(runs).toFixed(0)} ms; entered ${entered}, converted ${converted}`,
      );
    }
    for (const weeks of [4, 8]) {
      // `weeks` whole ISO weeks ending with the current one.
      const monday = new Date(Date.parse(today) - ((new Date(today).getUTCDay() + 6) % 7) * 86_400_000);
      const from = new Date(monday.getTime() - (weeks - 1) * 7 * 86_400_000).toISOString().slice(0, 10);
      const p = resolveReportPeriod({ from, to: today }, ZONE, now);
      const buckets = periodBuckets(p, 'week');
      const events = await eventsIn(p.start, p.end);
      const periods = retentionPeriods(p, buckets);
      const [{ n: rows }] = await ds.query(
        `SELECT count(*)::int AS n FROM analytics_person_days WHERE org_id = $1 AND day >= $2 AND day <= $3`,
        [bigOrg, p.from, p.to],
      );
      const answers: Record<string, string> = {};
      for (const source of ['events', 'person_days'] as const) {
        const runs: number[] = [];
        let cohortSize = 0;
        for (let r = 0; r < RUNS; r += 1) {
          // The person-days runs go through retention() itself, so they include its dirty-mark check.
          const { ms, value } = await timed(async () => {
            if (source === 'events') return queries.retentionFrom('events', selection, p, periods);
            const answer = await queries.retention(selection, p, periods);
            if (answer.source !== 'person_days') throw new Error(`retention read ${answer.source}`);
            return answer.rows;
          });
          runs.push(ms);
          cohortSize = value
            .filter((v) => v.cohort === 0 && v.period === 0)
            .reduce((s, v) => s + v.persons, 0);
          answers[source] = JSON.stringify(
            [...value].sort((a, b) => a.cohort - b.cohort || a.period - b.period),
          );
        }
        const read =
          source === 'events'
            ? `${events.toLocaleString('en')} events`
            : `${Number(rows).toLocaleString('en')} person-days`;
        console.log(
          `retention, ${buckets.length} weekly cohorts, from ${source} (${read}): runs ${runs.map((ms) => ms.toFixed(0)).join(', ')} ms; median ${median(runs).toFixed(0)} ms; first cohort ${cohortSize} people`,
        );
      }
      if (answers.events !== answers.person_days) throw new Error('retention: the two paths differ');
      console.log(`retention, ${buckets.length} weekly cohorts: both paths give the same answer`);
    }
  };

  await measure('primary key (org_id, occurred_at, event_id) only, as shipped');
  if (PERSON_INDEX) {
    const { ms } = await timed(() =>
      ds.query(
        `CREATE INDEX bench_events_person ON analytics_events (org_id, (coalesce(user_id, anonymous_id)), occurred_at)`,
      ),
    );
    await ds.query('ANALYZE analytics_events');
    console.log(`\nperson index built in ${(ms / 1000).toFixed(1)} s`);
    await measure('with the person index (org_id, coalesce(user_id, anonymous_id), occurred_at)');
    await ds.query('DROP INDEX bench_events_person');
  }
  if (COVERING_INDEX) {
    // What retention would need to skip the heap: the period's people straight from an index (index-only
    // scan, so the visibility map must be set: VACUUM, as autovacuum does for settled partitions).
    const { ms } = await timed(() =>
      ds.query(
        `CREATE INDEX bench_events_covering ON analytics_events (org_id, occurred_at) INCLUDE (user_id, anonymous_id, social_account_id)`,
      ),
    );
    const vacuum = await timed(() => ds.query('VACUUM ANALYZE analytics_events'));
    console.log(
      `\ncovering index built in ${(ms / 1000).toFixed(1)} s, VACUUM in ${(vacuum.ms / 1000).toFixed(1)} s`,
    );
    await measure(
      'with a covering index (org_id, occurred_at) INCLUDE (user_id, anonymous_id, social_account_id)',
    );
  }
});
