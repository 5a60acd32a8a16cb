import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Statement } from './app-server';
import {
  BenchSettings,
  benchSettings,
  ChildServer,
  createBenchDatabase,
  load,
  LoadResult,
  printResults,
  resolveBenchServer,
  runBench,
  startChild,
} from './support';

/**
 * npm run bench:http: the cost of the full request path on a real list. In one run, under the same
 * concurrency:
 *   (a) GET /api/v1/orgs/{orgId}/members as a caller holding members:read (system role `analyst`) with
 *       scope `unit` on one unit: JWT authentication, permission check, data scope, paged SQL, DTOs;
 *   (b) GET /health/live of the same app process;
 *   (c) a bare Fastify + pg handler running the SQL the app ran for (a), captured from the app itself.
 * Goal (issue 3): (a) serves at least half of (c).
 */

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 200);
/** Members whose primary unit is the caller's unit: more than a page, so the list pages. */
const IN_CALLER_UNIT = Math.min(60, MEMBERS);

interface Seed {
  orgId: string;
  callerId: string;
  sessionId: string;
  unitCount: number;
}

const label = (id: string) => `u${id.replace(/-/g, '')}`;

/** An agency with a three-level unit tree, MEMBERS members across it, and one unit-scoped analyst. */
async function seed(url: string): Promise<Seed> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const tag = Date.now().toString(36);
    const userIds = Array.from({ length: MEMBERS + 1 }, () => randomUUID());
    const callerId = userIds[0];
    await client.query(
      `INSERT INTO users (id, username, email, phone, password_hash)
       SELECT id, 'bench_' || $2 || '_' || n, 'bench_' || $2 || '_' || n || '@example.com',
              '139' || lpad(n::text, 8, '0'), 'no-login'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [userIds, tag],
    );

    const orgId = randomUUID();
    await client.query(
      `INSERT INTO organizations (id, kind, name, created_by) VALUES ($1, 'agency', 'Bench Agency', $2)`,
      [orgId, callerId],
    );

    // root → 4 departments → 3 teams each.
    const units: { id: string; parentId: string | null; name: string; path: string }[] = [];
    const root = { id: randomUUID(), parentId: null, name: 'Bench Agency' };
    units.push({ ...root, path: label(root.id) });
    for (let d = 1; d <= 4; d++) {
      const department = { id: randomUUID(), parentId: root.id, name: `Department ${d}` };
      const departmentPath = `${label(root.id)}.${label(department.id)}`;
      units.push({ ...department, path: departmentPath });
      for (let t = 1; t <= 3; t++) {
        const team = { id: randomUUID(), parentId: department.id, name: `Team ${d}.${t}` };
        units.push({ ...team, path: `${departmentPath}.${label(team.id)}` });
      }
    }
    for (const unit of units) {
      await client.query(
        `INSERT INTO org_units (id, org_id, parent_id, name, path) VALUES ($1, $2, $3, $4, $5::ltree)`,
        [unit.id, orgId, unit.parentId, unit.name, unit.path],
      );
    }

    // The caller sits in team 1.1; IN_CALLER_UNIT members share it, the rest spread over the other units.
    const callerUnit = units[2];
    const others = units.filter((u) => u !== callerUnit);
    const memberUnits = userIds.map((_, i) =>
      i <= IN_CALLER_UNIT ? callerUnit.id : others[i % others.length].id,
    );
    await client.query(
      `INSERT INTO org_members (org_id, user_id, unit_id, joined_at)
       SELECT $1, u, m, now() - (n || ' minutes')::interval
       FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS t(u, m, n)`,
      [orgId, userIds, memberUnits],
    );

    const {
      rows: [role],
    } = await client.query<{ id: string }>(
      `INSERT INTO roles (org_id, name, system_key, description) VALUES ($1, 'Analyst', 'analyst', 'Reads data and reports')
       RETURNING id`,
      [orgId],
    );
    await client.query(
      `INSERT INTO access_grants (org_id, user_id, role_id, unit_id, scope, effect) VALUES ($1, $2, $3, $4, 'unit', 'allow')`,
      [orgId, callerId, role.id, callerUnit.id],
    );

    const sessionId = randomUUID();
    await client.query(
      `INSERT INTO auth_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`,
      [sessionId, callerId],
    );
    await client.query('COMMIT');
    return { orgId, callerId, sessionId, unitCount: units.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const body = (await response.json().catch(() => null)) as {
    items?: unknown[];
    nextCursor?: unknown;
  } | null;
  return { status: response.status, body };
}

const shorten = (sql: string, max = 160) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

async function captureMembersSql(app: ChildServer, url: string, headers: Record<string, string>) {
  for (let i = 0; i < 3; i++) await getJson(url, headers);
  await app.ask({ type: 'capture-start' });
  const page = await getJson(url, headers);
  const { statements } = await app.ask<{ statements: Statement[] }>({ type: 'capture-stop' });
  return { page, statements };
}

function ratio(a: LoadResult, b: LoadResult): string {
  return (a.requestsPerSecond / b.requestsPerSecond).toFixed(2);
}

runBench(async (cleanup) => {
  const settings: BenchSettings = benchSettings();
  const server = await resolveBenchServer();
  cleanup(() => server.stop());
  const database = await createBenchDatabase(server);
  cleanup(() => database.drop());
  const seeded = await seed(database.url);
  console.log(
    `database: ${server.label} (${database.name}); seeded ${MEMBERS + 1} members in ${seeded.unitCount} units, ` +
      `${IN_CALLER_UNIT + 1} in the caller's unit`,
  );

  const env = {
    DATABASE_URL: database.url,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '10',
  };
  const app = await startChild('app-server', env);
  cleanup(() => app.stop());
  const { token } = await app.ask<{ token: string }>({
    type: 'sign',
    sub: seeded.callerId,
    sid: seeded.sessionId,
  });
  const headers = { authorization: `Bearer ${token}` };
  const membersUrl = `${app.url}/api/v1/orgs/${seeded.orgId}/members`;

  const { page, statements } = await captureMembersSql(app, membersUrl, headers);
  if (page.status !== 200 || !Array.isArray(page.body?.items)) {
    throw new Error(`GET ${membersUrl} answered ${page.status}: ${JSON.stringify(page.body).slice(0, 300)}`);
  }
  console.log(
    `(a) answers ${page.body.items.length} items, nextCursor ${page.body.nextCursor ? 'set' : 'null'}; ` +
      `the app ran ${statements.length} statement(s) for it:`,
  );
  for (const [i, s] of statements.entries()) {
    console.log(`  ${i + 1}. ${process.env.BENCH_SHOW_SQL ? s.query : shorten(s.query)}`);
  }

  const bare = await startChild('bare-server', env);
  cleanup(() => bare.stop());
  await bare.ask({ type: 'statements', statements });
  const reference = await getJson(`${bare.url}/members`);
  if (reference.status !== 200) throw new Error(`bare /members answered ${reference.status}`);

  const a = await load('(a) app members list', membersUrl, settings, headers);
  const b = await load('(b) app /health/live', `${app.url}/health/live`, settings);
  const c = await load('(c) bare Fastify + pg, same SQL', `${bare.url}/members`, settings);
  printResults('bench:http', settings, [a, b, c]);
  console.log(
    `ratio (a)/(c): ${ratio(a, c)}  (goal ≥ 0.50: ${a.requestsPerSecond >= c.requestsPerSecond / 2 ? 'met' : 'NOT met'})`,
  );
  console.log(`ratio (a)/(b): ${ratio(a, b)}`);
});
