import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Client } from 'pg';
import { createBenchDatabase, resolveBenchServer, runBench, startChild } from './support';

/**
 * npm run bench:analytics-reports: report latency from the rollups with many events in the database.
 *
 * Loads BENCH_EVENTS events (default 10,000,000) with INSERT … SELECT generate_series (no HTTP): one
 * organization holds BENCH_BIG_EVENTS (default 2,000,000) over BENCH_DAYS days (default 60), the rest
 * is spread over BENCH_ORGS (default 40) other organizations. It builds the rollups of every
 * organization through the app's own rebuild (RollupBuilder, timed), then asks the app (a child
 * process, RATE_LIMIT_PER_MINUTE=0) for the traffic report over HTTP, BENCH_REQUESTS times each
 * (default 200, after 20 warm-up requests): the 30-day report of the large organization (the goal:
 * p95 < 20 ms), the same for 7, 14, 60 days (cost with days) and a small organization's 30 days (cost
 * with events).
 */

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const BIG = Number(process.env.BENCH_BIG_EVENTS ?? 2_000_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 60);
const ORGS = Number(process.env.BENCH_ORGS ?? 40);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DAY = 86_400_000;

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An organization with ten social accounts and an org-wide analyst, signed in. */
async function seedOrg(client: Client, index: number) {
  const orgId = randomUUID();
  const userId = randomUUID();
  await client.query(
    `INSERT INTO users (id, username, email, phone, password_hash) VALUES ($1, $2, $3, $4, 'no-login')`,
    [
      userId,
      `bench_analyst_${index}`,
      `bench${index}@example.com`,
      `139${String(10_000_000 + index).slice(-8)}`,
    ],
  );
  await client.query(`INSERT INTO organizations (id, kind, name) VALUES ($1, 'brand', $2)`, [
    orgId,
    `Bench ${index}`,
  ]);
  const {
    rows: [unit],
  } = await client.query<{ id: string }>(
    `INSERT INTO org_units (org_id, name, path) VALUES ($1, 'Bench', text2ltree($2)) RETURNING id`,
    [orgId, `u${orgId.replace(/-/g, '')}`],
  );
  await client.query(`INSERT INTO org_members (org_id, user_id, unit_id) VALUES ($1, $2, $3)`, [
    orgId,
    userId,
    unit.id,
  ]);
  const {
    rows: [role],
  } = await client.query<{ id: string }>(
    `INSERT INTO roles (org_id, name, system_key) VALUES ($1, 'Analyst', 'analyst') RETURNING id`,
    [orgId],
  );
  await client.query(
    `INSERT INTO access_grants (org_id, user_id, role_id, unit_id, scope, effect) VALUES ($1, $2, $3, $4, 'org', 'allow')`,
    [orgId, userId, role.id, unit.id],
  );
  const accounts: string[] = [];
  for (let a = 0; a < 10; a += 1) {
    const {
      rows: [account],
    } = await client.query<{ id: string }>(
      `INSERT INTO social_accounts (org_id, unit_id, platform, handle, display_name, external_user_id, status)
       VALUES ($1, $2, 'douyin', $3, $3, $4, 'active') RETURNING id`,
      [orgId, unit.id, `bench_${index}_${a}`, `bench-ext-${index}-${a}`],
    );
    accounts.push(account.id);
  }
  const sessionId = randomUUID();
  await client.query(
    `INSERT INTO auth_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`,
    [sessionId, userId],
  );
  return { orgId, userId, sessionId, accounts };
}

/**
 * `count` events of one organization over the `DAYS` days before `end`, in time order: sessions of six
 * events (one `session_start`, page views, a click, a conversion now and then), 50,000 people, the
 * session's channel, UTM, device and account fixed per session.
 */
async function loadEvents(client: Client, orgId: string, accounts: string[], count: number, end: number) {
  await client.query(
    `INSERT INTO analytics_events (org_id, event_id, occurred_at, received_at, type, anonymous_id, user_id, session_id,
                                   path, channel, utm_source, utm_medium, device_type, social_account_id, amount_fen, properties)
     SELECT $1, gen_random_uuid(), t, t,
            CASE WHEN i % 6 = 0 THEN 'session_start' WHEN i % 97 = 0 THEN 'purchase' WHEN i % 6 = 5 THEN 'click' ELSE 'page_view' END,
            'a-' || ((s::bigint * 7919) % 50000), CASE WHEN s % 3 = 0 THEN 'u-' || ((s::bigint * 7919) % 50000) END,
            's-' || s, '/p/' || (i % 300),
            (ARRAY['search','social','direct','email','ad','referral','other'])[1 + s % 7],
            (ARRAY[NULL,'douyin','baidu'])[1 + s % 3], CASE WHEN s % 3 > 0 THEN 'cpc' END,
            (ARRAY['mobile','desktop','tablet','other'])[1 + s % 4],
            ($3::uuid[])[1 + s % 10], CASE WHEN i % 97 = 0 AND i % 6 <> 0 THEN 1000 END, '{}'
       FROM generate_series(0, $2::int - 1) AS i,
            LATERAL (SELECT i / 6 AS s, to_timestamp(($4::float8 - $5::float8 + (i::float8 / $2::int) * $5::float8) / 1000.0) AS t) x`,
    [orgId, count, accounts, end, DAYS * DAY],
  );
}

function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; ms: number; body: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
};

runBench(async (cleanup) => {
  const server = await resolveBenchServer();
  cleanup(() => server.stop());
  const database = await createBenchDatabase(server);
  cleanup(() => database.drop());
  const end = Date.now() - 60_000;
  console.log(
    `database: ${server.label} (${database.name}); ${EVENTS.toLocaleString('en')} events, ` +
      `${BIG.toLocaleString('en')} in one organization, ${DAYS} days`,
  );

  const orgs = await withClient(database.url, async (client) => {
    const all = [];
    for (let i = 0; i <= ORGS; i += 1) all.push(await seedOrg(client, i));
    // Partitions for every month of the span (UTC months, as EventPartitions names them).
    for (
      let m = new Date(end - DAYS * DAY - 31 * DAY);
      m.getTime() < end + 31 * DAY;
      m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))
    ) {
      const month = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth(), 1));
      const next = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
      const name = `analytics_events_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF analytics_events FOR VALUES FROM ('${month.toISOString()}') TO ('${next.toISOString()}')`,
      );
    }
    const started = Date.now();
    await loadEvents(client, all[0].orgId, all[0].accounts, BIG, end);
    const rest = EVENTS - BIG;
    for (let i = 1; i <= ORGS; i += 1) {
      await loadEvents(client, all[i].orgId, all[i].accounts, Math.floor(rest / ORGS), end);
    }
    await client.query('VACUUM ANALYZE analytics_events');
    const [{ n }] = (await client.query<{ n: string }>('SELECT count(*) AS n FROM analytics_events')).rows;
    console.log(
      `loaded ${Number(n).toLocaleString('en')} events in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    return all;
  });

  const appEnv = {
    DATABASE_URL: database.url,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
  };
  const app = await startChild('app-server', appEnv);
  cleanup(() => app.stop());

  // Rollups of every organization, through the app's own rebuild (the same code as the job).
  const localDay = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);
  const from = localDay(end - DAYS * DAY);
  const to = localDay(end);
  const rollupStarted = Date.now();
  const bigStarted = Date.now();
  let bigSeconds = 0;
  for (const [index, org] of orgs.entries()) {
    await app.ask({ type: 'rebuild-rollups', orgId: org.orgId, from, to });
    if (index === 0) bigSeconds = (Date.now() - bigStarted) / 1000;
  }
  const rollupSeconds = (Date.now() - rollupStarted) / 1000;
  await withClient(database.url, async (client) => {
    await client.query(
      'VACUUM ANALYZE analytics_rollup_days, analytics_rollup_hours, analytics_person_days, analytics_day_sets, analytics_persons',
    );
    const sizes = await client.query<{ t: string; n: string }>(
      `SELECT 'days' AS t, count(*) AS n FROM analytics_rollup_days UNION ALL
       SELECT 'person_days', count(*) FROM analytics_person_days UNION ALL SELECT 'hours', count(*) FROM analytics_rollup_hours UNION ALL
       SELECT 'day_sets', count(*) FROM analytics_day_sets UNION ALL SELECT 'persons', count(*) FROM analytics_persons UNION ALL
       SELECT 'day_set_bytes', coalesce(sum(octet_length(persons)), 0) FROM analytics_day_sets`,
    );
    console.log(
      `rollups built in ${rollupSeconds.toFixed(0)} s (${Math.round(EVENTS / rollupSeconds).toLocaleString('en')} events/s; ` +
        `the large organization ${bigSeconds.toFixed(1)} s); rows: ${sizes.rows.map((r) => `${r.t} ${Number(r.n).toLocaleString('en')}`).join(', ')}`,
    );
  });

  const measure = async (org: (typeof orgs)[number], days: number, label: string) => {
    const { token } = await app.ask<{ token: string }>({ type: 'sign', sub: org.userId, sid: org.sessionId });
    const headers = { authorization: `Bearer ${token}` };
    const url = `${app.url}/api/v1/orgs/${org.orgId}/analytics/reports/traffic?from=${localDay(end - (days - 1) * DAY)}&to=${to}`;
    const times: number[] = [];
    let body = '';
    for (let i = 0; i < 20 + REQUESTS; i += 1) {
      const res = await get(url, headers);
      if (res.status !== 200) throw new Error(`traffic answered ${res.status}: ${res.body.slice(0, 300)}`);
      if (i >= 20) times.push(res.ms);
      body = res.body;
    }
    // Exactness: the period's visitors and page views against the raw events (Asia/Shanghai days).
    const fromDay = localDay(end - (days - 1) * DAY);
    const totals = (JSON.parse(body) as { totals: { visitors: number; pageViews: number } }).totals;
    const raw = await withClient(database.url, (client) =>
      client.query<{ visitors: string; page_views: string }>(
        `SELECT count(DISTINCT coalesce(user_id, anonymous_id)) AS visitors,
                count(*) FILTER (WHERE type = 'page_view') AS page_views
           FROM analytics_events
          WHERE org_id = $1 AND occurred_at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')
            AND occurred_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`,
        [org.orgId, fromDay, to],
      ),
    );
    const expected = raw.rows[0];
    if (Number(expected.visitors) !== totals.visitors || Number(expected.page_views) !== totals.pageViews) {
      throw new Error(
        `${label}: report ${JSON.stringify(totals)} but raw events ${JSON.stringify(expected)}`,
      );
    }
    console.log(
      `  ${label.padEnd(44)} p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms, ` +
        `p99 ${quantile(times, 0.99).toFixed(1)} ms; visitors ${totals.visitors.toLocaleString('en')} = raw events`,
    );
  };
  console.log('');
  console.log(`traffic report over HTTP, ${REQUESTS} requests each, one at a time`);
  for (const days of [7, 14, 30, 60]) {
    await measure(orgs[0], days, `large org (${BIG.toLocaleString('en')} events), ${days} days`);
  }
  await measure(
    orgs[1],
    30,
    `small org (${Math.floor((EVENTS - BIG) / ORGS).toLocaleString('en')} events), 30 days`,
  );
});
