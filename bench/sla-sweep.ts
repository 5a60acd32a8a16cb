import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { SlaBreachSweep, SweepResult } from '../src/modules/ticket-slas/sla-breach-sweep';
import { createBenchDatabase, resolveBenchServer } from './support';

/**
 * The breach sweep (issue 14): 100,000 open tickets with their SLA rows, inserted set-based; one in ten
 * past its resolution due time, one in ten inside its warning window, the rest due days later. Two app
 * instances (two Nest apps on one database, as two replicas) are booted in this process.
 *
 * 1. One sweep, timed, with the statements it sent (`queries`).
 * 2. The flags reset, then both instances sweep at the same time; afterwards every past-due ticket must
 *    have exactly one `breached` and one `escalated` SLA event and one `escalate` in its history.
 */

export interface SweepMeasurement {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

const TICKETS = Number(process.env.BENCH_SWEEP_TICKETS ?? 100_000);
const UNITS = 20;
const AGENTS = 50;

async function seed(db: DataSource): Promise<{ orgId: string; pastDue: number; warnable: number }> {
  const [{ id: orgId }] = await db.query(
    `INSERT INTO organizations (kind, name) VALUES ('agency', 'Sweep bench') RETURNING id`,
  );
  await db.query(
    `INSERT INTO org_units (id, org_id, parent_id, name, path)
     SELECT id, $1, NULL, 'Root', text2ltree('u' || replace(id::text, '-', '')) FROM (SELECT gen_random_uuid() AS id) f`,
    [orgId],
  );
  const [{ id: rootId, path: rootPath }] = await db.query(
    `SELECT id, path::text AS path FROM org_units WHERE org_id = $1`,
    [orgId],
  );
  await db.query(
    `INSERT INTO org_units (id, org_id, parent_id, name, path)
     SELECT id, $1, $2, 'Team ' || n, text2ltree($3 || '.u' || replace(id::text, '-', ''))
       FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $4) n) f`,
    [orgId, rootId, rootPath, UNITS],
  );
  const [{ id: supervisorRole }] = await db.query(
    `INSERT INTO roles (org_id, name, system_key) VALUES ($1, 'Supervisor', 'service_supervisor') RETURNING id`,
    [orgId],
  );
  const [{ id: agentRole }] = await db.query(
    `INSERT INTO roles (org_id, name, system_key) VALUES ($1, 'Agent', 'service_agent') RETURNING id`,
    [orgId],
  );
  // One supervisor per team (subtree at it), AGENTS agents spread over the teams.
  await db.query(
    `WITH teams AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM org_units WHERE org_id = $1 AND parent_id IS NOT NULL),
     people AS (
       INSERT INTO users (username, email, password_hash)
       SELECT 'sweep_' || left(kind, 1) || n, 'sweep-' || kind || '-' || n || '-' || $1 || '@bench.invalid', 'x'
         FROM (SELECT 'supervisor' AS kind, n FROM generate_series(1, $4) n
               UNION ALL SELECT 'agent', n FROM generate_series(1, $5) n) p
       RETURNING id, email),
     placed AS (
       SELECT p.id AS user_id, split_part(p.email, '-', 2) AS kind,
              (SELECT id FROM teams WHERE teams.n = 1 + (split_part(p.email, '-', 3)::int % $4)) AS unit_id
         FROM people p),
     members AS (INSERT INTO org_members (org_id, user_id, unit_id) SELECT $1, user_id, unit_id FROM placed)
     INSERT INTO access_grants (org_id, user_id, role_id, effect, unit_id, scope)
     SELECT $1, user_id, CASE kind WHEN 'supervisor' THEN $2::uuid ELSE $3::uuid END, 'allow', unit_id,
            CASE kind WHEN 'supervisor' THEN 'subtree' ELSE 'unit' END
       FROM placed`,
    [orgId, supervisorRole, agentRole, UNITS, AGENTS],
  );
  await db.query(
    `WITH agents AS (
       SELECT m.user_id, m.unit_id, row_number() OVER (ORDER BY m.user_id) - 1 AS k FROM org_members m
         JOIN access_grants g ON g.user_id = m.user_id AND g.role_id = $2 WHERE m.org_id = $1)
     INSERT INTO tickets (org_id, unit_id, assignee_id, type, channel, subject, state, state_changed_at, source,
                          created_at, updated_at)
     SELECT $1, a.unit_id, a.user_id, 'complaint', 'phone', 'Bench ticket ' || i, 'open', now(), 'member',
            now() - interval '3 days', now()
       FROM generate_series(0, $3 - 1) i JOIN agents a ON a.k = i % $4`,
    [orgId, agentRole, TICKETS, AGENTS],
  );
  await db.query(
    `INSERT INTO ticket_slas (org_id, ticket_id, policy_name, started_at, targets, warn_before_minutes,
                              resolution_due_at)
     SELECT org_id, id, 'Bench complaints', created_at,
            '{"firstResponse": null, "nextResponse": null, "resolution": {"minutes": 900, "mode": "working"}}', 120,
            CASE WHEN n % 10 = 0 THEN now() - (1 + n % 600) * interval '1 minute'
                 -- Warnable for the next half hour and due no sooner: a slow run must not turn them past due.
                 WHEN n % 10 = 1 THEN now() + (30 + n % 60) * interval '1 minute'
                 ELSE now() + (1 + n % 5) * interval '1 day' END
       FROM (SELECT t.*, row_number() OVER (ORDER BY t.id) AS n FROM tickets t WHERE t.org_id = $1) t`,
    [orgId],
  );
  await db.query('ANALYZE tickets; ANALYZE ticket_slas');
  const [{ past, warn }] = await db.query(
    `SELECT count(*) FILTER (WHERE resolution_due_at <= now())::int AS past,
            count(*) FILTER (WHERE resolution_due_at > now() AND resolution_due_at <= now() + interval '120 minutes')::int AS warn
       FROM ticket_slas WHERE org_id = $1`,
    [orgId],
  );
  return { orgId, pastDue: past, warnable: warn };
}

/** Puts every SLA and ticket back as it was before the first sweep. */
async function reset(db: DataSource, orgId: string): Promise<void> {
  await db.query(`DELETE FROM ticket_sla_events WHERE org_id = $1`, [orgId]);
  await db.query(`DELETE FROM ticket_events WHERE org_id = $1`, [orgId]);
  await db.query(
    `UPDATE ticket_slas SET resolution_breached_at = NULL, resolution_warned_at = NULL WHERE org_id = $1`,
    [orgId],
  );
  await db.query(`UPDATE tickets SET state = 'open' WHERE org_id = $1 AND state <> 'open'`, [orgId]);
}

async function exactlyOnce(db: DataSource, orgId: string): Promise<{ bad: number; escalated: number }> {
  const [row] = await db.query(
    `WITH per AS (
       SELECT s.ticket_id, s.resolution_due_at <= s.resolution_breached_at AS due,
              (SELECT count(*) FROM ticket_sla_events e WHERE e.org_id = s.org_id AND e.ticket_id = s.ticket_id AND e.kind = 'breached') AS b,
              (SELECT count(*) FROM ticket_sla_events e WHERE e.org_id = s.org_id AND e.ticket_id = s.ticket_id AND e.kind = 'escalated') AS x,
              (SELECT count(*) FROM ticket_events e WHERE e.org_id = s.org_id AND e.ticket_id = s.ticket_id AND e.action = 'escalate') AS m
         FROM ticket_slas s WHERE s.org_id = $1)
     SELECT count(*) FILTER (WHERE (due AND (b <> 1 OR x <> 1 OR m <> 1)) OR (due IS NOT TRUE AND (b + x + m) > 0))::int AS bad,
            count(*) FILTER (WHERE m = 1)::int AS escalated
       FROM per`,
    [orgId],
  );
  return row;
}

export async function measureBreachSweep(): Promise<SweepMeasurement[]> {
  const server = await resolveBenchServer();
  const database = await createBenchDatabase(server);
  process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
  const first = await createApp({ databaseUrl: database.url, jobs: false });
  const second = await createApp({ databaseUrl: database.url, jobs: false });
  await first.init();
  await second.init();
  try {
    const db = first.get(DataSource);
    const seedStart = performance.now();
    const { orgId, pastDue, warnable } = await seed(db);
    console.log(
      `breach sweep: ${TICKETS.toLocaleString('en')} open tickets, ${pastDue.toLocaleString('en')} past due, ` +
        `${warnable.toLocaleString('en')} in their warning window (seeded in ${Math.round(performance.now() - seedStart)} ms)`,
    );
    const sweepA = first.get(SlaBreachSweep);
    const sweepB = second.get(SlaBreachSweep);

    const started = performance.now();
    const one: SweepResult = await sweepA.sweep();
    const oneMs = performance.now() - started;
    const once1 = await exactlyOnce(db, orgId);
    console.log(`  one sweep: ${JSON.stringify(one)}`);

    await reset(db, orgId);
    const pairStart = performance.now();
    const [a, b] = await Promise.all([sweepA.sweep(), sweepB.sweep()]);
    const pairMs = performance.now() - pairStart;
    const once2 = await exactlyOnce(db, orgId);
    console.log(`  concurrent: instance 1 ${JSON.stringify(a)}`);
    console.log(`  concurrent: instance 2 ${JSON.stringify(b)}`);

    return [
      {
        name: `breach sweep, one instance (${TICKETS.toLocaleString('en')} tickets)`,
        value: oneMs,
        unit: 'ms',
        target: '< 5,000 ms',
        ok: oneMs < 5000 && one.breached === pastDue && one.escalated === pastDue && once1.bad === 0,
      },
      {
        name: 'breach sweep, statements sent',
        value: one.queries,
        unit: 'queries',
        target: 'independent of the ticket count',
      },
      {
        name: 'two instances sweeping at once (wall time)',
        value: pairMs,
        unit: 'ms',
        target: '< 5,000 ms',
        ok: pairMs < 5000,
      },
      {
        name: 'two instances: tickets escalated (each exactly once)',
        value: a.escalated + b.escalated,
        unit: `of ${pastDue} past due, ${once2.bad} wrong`,
        ok: a.escalated + b.escalated === pastDue && once2.escalated === pastDue && once2.bad === 0,
      },
    ];
  } finally {
    await second.close();
    await first.close();
    await database.drop();
  }
}
