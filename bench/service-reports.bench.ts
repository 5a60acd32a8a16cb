import { cpus } from 'node:os';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { DataScope } from '../src/modules/access/data-scope';
import { provisionServiceLevels } from '../src/modules/service-levels/provisioning';
import { ServiceReportsService } from '../src/modules/service-reports/service-reports.service';
import { Clock } from '../src/platform/clock/clock';
import { localDay } from '../src/platform/reports';
import { createBenchDatabase, resolveBenchServer, runBench } from './support';

/**
 * npm run bench:service-reports: the five service reports over a 30-day period of an organization with
 * 100,000 tickets (BENCH_REPORT_TICKETS) spread over 90 days, in 20 units with 50 agents: every ticket
 * with its `created` event and its SLA row; 90 % answered (a `replied` event, some after a pause), 80 %
 * resolved, 3 % escalated (manual and automatic), 5 % with a recorded breach. Seeded set-based.
 *
 * Each report is called through `ServiceReportsService` (SQL, measuring and aggregation; no HTTP) as an
 * organization-wide supervisor and as a supervisor of one unit's subtree, BENCH_REPORT_RUNS times after
 * two warm-up calls; p50 and p95 are printed per report.
 */

const TICKETS = Number(process.env.BENCH_REPORT_TICKETS ?? 100_000);
const RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 20);
const UNITS = 20;
const AGENTS = 50;
const DAYS = 90;

async function seed(db: DataSource): Promise<{ orgId: string; units: { id: string; path: string }[] }> {
  const [{ id: orgId }] = await db.query(
    `INSERT INTO organizations (kind, name) VALUES ('agency', 'Reports bench') RETURNING id`,
  );
  await provisionServiceLevels(db, orgId);
  await db.query(
    `INSERT INTO org_units (id, org_id, parent_id, name, path)
     SELECT id, $1, NULL, 'Root', text2ltree('u' || replace(id::text, '-', '')) FROM (SELECT gen_random_uuid() AS id) f`,
    [orgId],
  );
  const [root] = await db.query(`SELECT id, path::text AS path FROM org_units WHERE org_id = $1`, [orgId]);
  await db.query(
    `INSERT INTO org_units (id, org_id, parent_id, name, path)
     SELECT id, $1, $2, 'Team ' || n, text2ltree($3 || '.u' || replace(id::text, '-', ''))
       FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $4) n) f`,
    [orgId, root.id, root.path, UNITS],
  );
  const units: { id: string; path: string }[] = await db.query(
    `SELECT id, path::text AS path FROM org_units WHERE org_id = $1 AND parent_id IS NOT NULL ORDER BY id`,
    [orgId],
  );
  await db.query(
    `WITH teams AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM org_units WHERE org_id = $1 AND parent_id IS NOT NULL),
     people AS (
       INSERT INTO users (username, email, password_hash)
       SELECT 'report_a' || n || '_' || left($1::text, 8), 'report-' || n || '-' || $1::text || '@bench.invalid', 'x'
         FROM generate_series(1, $2) n
       RETURNING id, email)
     INSERT INTO org_members (org_id, user_id, unit_id)
     SELECT $1, p.id, (SELECT id FROM teams WHERE teams.n = 1 + (split_part(p.email, '-', 2)::int % $3)) FROM people p`,
    [orgId, AGENTS, UNITS],
  );
  // Tickets over the last DAYS days; i drives every attribute, so the data set is the same each run
  // (the state by i / 7, so that every agent, hence every unit, has open tickets).
  await db.query(
    `WITH agents AS (
       SELECT user_id, unit_id, row_number() OVER (ORDER BY user_id) - 1 AS k FROM org_members WHERE org_id = $1)
     INSERT INTO tickets (org_id, unit_id, assignee_id, type, after_sales_kind, channel, subject, priority, state,
                          state_changed_at, resolved_at, source, created_at, updated_at)
     SELECT $1, a.unit_id, a.user_id,
            (ARRAY['consultation', 'complaint', 'after_sales'])[1 + i % 3],
            CASE WHEN i % 3 = 2 THEN 'repair' END,
            (ARRAY['phone', 'web', 'email', 'douyin_dm', 'wechat', 'api'])[1 + i % 6],
            'Bench ticket ' || i,
            (ARRAY['low', 'normal', 'high', 'urgent'])[1 + i % 4],
            CASE WHEN (i / 7) % 10 < 8 THEN 'resolved' WHEN (i / 7) % 10 = 8 THEN 'open' ELSE 'pending_customer' END,
            c + interval '1 hour', CASE WHEN (i / 7) % 10 < 8 THEN c + (30 + i % 4000) * interval '1 minute' END,
            'member', c, c
       FROM (SELECT i, now() - (i::float / $2::int) * $3::int * interval '1 day' AS c FROM generate_series(0, $2::int - 1) i) g
       JOIN agents a ON a.k = g.i % $4::int`,
    [orgId, TICKETS, DAYS, AGENTS],
  );
  await db.query(
    `CREATE TEMP TABLE bench_t AS
       SELECT id, org_id, created_at, resolved_at, state, type, row_number() OVER (ORDER BY created_at) AS n
         FROM tickets WHERE org_id = $1`,
    [orgId],
  );
  await db.query(
    `INSERT INTO ticket_events (org_id, ticket_id, action, from_state, to_state, actor_kind, created_at)
     SELECT org_id, id, 'created', NULL, 'new', 'user', created_at FROM bench_t
     UNION ALL
     SELECT org_id, id, 'replied', 'new', 'new', 'user', created_at + (5 + n % 1500) * interval '1 minute'
       FROM bench_t WHERE n % 10 <> 9
     UNION ALL
     SELECT org_id, id, 'resolve', 'open', 'resolved', 'user', resolved_at FROM bench_t WHERE resolved_at IS NOT NULL
     UNION ALL
     SELECT org_id, id, 'escalate', 'open', 'escalated', CASE WHEN n % 2 = 0 THEN 'system' ELSE 'user' END,
            created_at + interval '50 minutes'
       FROM bench_t WHERE n % 33 = 0`,
  );
  await db.query(
    `INSERT INTO ticket_slas (org_id, ticket_id, policy_id, policy_name, calendar_id, started_at, targets, pauses,
                              running, first_response_at, first_response_due_at, resolution_at, resolution_due_at,
                              first_response_breached_at, resolution_breached_at)
     SELECT t.org_id, t.id, p.id, p.name, c.id, t.created_at,
            jsonb_build_object('firstResponse', p.first_response, 'nextResponse', NULL, 'resolution', p.resolution),
            CASE WHEN t.n % 10 = 3 THEN jsonb_build_array(jsonb_build_object(
                   'pausedAt', to_char((t.created_at + interval '2 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'resumedAt', to_char((t.created_at + interval '4 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'reason', 'pending_customer'))
                 ELSE '[]'::jsonb END,
            t.resolved_at IS NULL,
            CASE WHEN p.first_response IS NOT NULL AND t.n % 10 <> 9 THEN t.created_at + (5 + t.n % 1500) * interval '1 minute' END,
            CASE WHEN p.first_response IS NOT NULL THEN t.created_at + interval '24 hours' END,
            CASE WHEN p.resolution IS NOT NULL THEN t.resolved_at END,
            CASE WHEN p.resolution IS NOT NULL THEN t.created_at + interval '2 days' END,
            CASE WHEN p.first_response IS NOT NULL AND t.n % 20 = 0 THEN t.created_at + interval '24 hours 1 minute' END,
            CASE WHEN p.resolution IS NOT NULL AND t.n % 20 = 0 THEN t.created_at + interval '2 days 1 minute' END
       FROM bench_t t
       JOIN service_calendars c ON c.org_id = t.org_id AND c.is_default
       LEFT JOIN sla_policies p ON p.org_id = t.org_id AND t.type = ANY (p.ticket_types)`,
  );
  await db.query(
    `INSERT INTO ticket_sla_events (org_id, ticket_id, kind, target, at)
     SELECT org_id, ticket_id, 'breached', CASE WHEN first_response_breached_at IS NOT NULL THEN 'first_response' ELSE 'resolution' END,
            COALESCE(first_response_breached_at, resolution_breached_at)
       FROM ticket_slas WHERE org_id = $1 AND COALESCE(first_response_breached_at, resolution_breached_at) IS NOT NULL`,
    [orgId],
  );
  await db.query('DROP TABLE bench_t');
  await db.query('ANALYZE tickets; ANALYZE ticket_events; ANALYZE ticket_slas; ANALYZE ticket_sla_events');
  return { orgId, units };
}

function grant(unit: { id: string; path: string }, scope: 'org' | 'subtree') {
  return {
    grantId: `bench-${scope}`,
    permission: 'tickets:supervise' as const,
    effect: 'allow' as const,
    scope,
    unitId: unit.id,
    unitPath: unit.path,
    roleId: null,
    roleName: null,
  };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
};

runBench(async (cleanup) => {
  console.log(
    `bench:service-reports  node ${process.version}  ${cpus().length} CPU(s)  ${cpus()[0]?.model ?? ''}`,
  );
  const server = await resolveBenchServer();
  cleanup(() => server.stop());
  const database = await createBenchDatabase(server);
  cleanup(() => database.drop());
  process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
  const app = await createApp({ databaseUrl: database.url, jobs: false });
  await app.init();
  cleanup(() => app.close());
  const db = app.get(DataSource);
  const seedStart = performance.now();
  const { orgId, units } = await seed(db);
  const [{ events }] = await db.query(`SELECT count(*)::int AS events FROM ticket_events WHERE org_id = $1`, [
    orgId,
  ]);
  console.log(
    `seeded ${TICKETS.toLocaleString('en')} tickets, ${events.toLocaleString('en')} history events over ${DAYS} days ` +
      `in ${Math.round(performance.now() - seedStart)} ms (${server.label})`,
  );
  const reports = app.get(ServiceReportsService);
  const zone = 'Asia/Shanghai';
  const to = localDay(app.get(Clock).now(), zone);
  const from = localDay(new Date(Date.parse(`${to}T12:00:00+08:00`) - 29 * 86_400_000), zone);
  const query = { from, to };
  const [rootUnit] = await db.query(
    `SELECT id, path::text AS path FROM org_units WHERE org_id = $1 AND parent_id IS NULL`,
    [orgId],
  );
  const scopes = {
    'organization-wide': new DataScope(orgId, 'tickets:supervise', null, [grant(rootUnit, 'org')]),
    'one unit (subtree)': new DataScope(orgId, 'tickets:supervise', null, [grant(units[0], 'subtree')]),
  };
  const calls: Record<string, (scope: DataScope) => Promise<{ body: unknown }>> = {
    'first-response': (s) => reports.durations(s, { ...query }, 'first_response'),
    'first-response groupBy=agent': (s) =>
      reports.durations(s, { ...query, groupBy: 'agent' }, 'first_response'),
    resolution: (s) => reports.durations(s, { ...query }, 'resolution'),
    'sla-attainment': (s) => reports.slaAttainment(s, { ...query }),
    backlog: (s) => reports.backlog(s, { ...query }),
    volume: (s) => reports.volume(s, { ...query }),
  };
  console.log(`30-day period ${from} … ${to}, ${RUNS} runs each after 2 warm-ups`);
  const lines: string[] = [];
  for (const [scopeName, scope] of Object.entries(scopes)) {
    for (const [name, call] of Object.entries(calls)) {
      await call(scope);
      const answer = (await call(scope)).body as { total?: unknown };
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await call(scope);
        times.push(performance.now() - started);
      }
      const total = answer.total;
      const count =
        typeof total === 'number'
          ? total
          : typeof total === 'object' && total !== null && 'count' in total
            ? (total as { count: number }).count
            : '';
      const line =
        `${scopeName.padEnd(20)} ${name.padEnd(30)} p50 ${quantile(times, 0.5).toFixed(1).padStart(7)} ms  ` +
        `p95 ${quantile(times, 0.95).toFixed(1).padStart(7)} ms  max ${Math.max(...times)
          .toFixed(1)
          .padStart(7)} ms` +
        (count !== '' ? `  (${count} tickets)` : '');
      lines.push(line);
      console.log(line);
    }
  }
});
