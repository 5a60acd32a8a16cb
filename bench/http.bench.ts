import type { Statement } from './app-server';
import { printProfile } from './cpu-profile';
import { IN_CALLER_UNIT, MEMBERS, seed } from './members-seed';
import {
  explainStatements,
  printStatementStats,
  resetStatementStats,
  statementStatsAvailable,
} from './statement-stats';
import {
  BenchSettings,
  benchSettings,
  ChildServer,
  createBenchDatabase,
  LoadResult,
  loadInRounds,
  perRound,
  printResults,
  profileDirectory,
  profiling,
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
 *   (c) a bare Fastify + pg handler running the SQL the app ran for (a), captured from the app itself;
 *   (d) the same bare server answering one member row by primary key: one round trip, the floor.
 * Goals: (a) serves at least half of (c) (issue 3) and at least half of (d) (issue 11).
 * BENCH_PROFILE=1 (npm run bench:profile) writes a CPU profile of the app during (a) and prints its top
 * entries. pg_stat_statements figures for (a) are printed when the server has the module loaded, else
 * EXPLAIN (ANALYZE, BUFFERS) of each statement (a) sends.
 */

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
  await bare.ask({ type: 'member', orgId: seeded.orgId, userId: seeded.callerId });
  for (const path of ['/members', '/member']) {
    const reference = await getJson(`${bare.url}${path}`);
    if (reference.status !== 200) throw new Error(`bare ${path} answered ${reference.status}`);
  }

  const withStats = await statementStatsAvailable(database.url);
  const profileDir = profileDirectory();
  const profile = profileDir ? profiling(app, profileDir, 'members-list') : null;
  // Statement figures cover every window of (a); the other targets send none of its statements.
  if (withStats) await resetStatementStats(database.url);
  const [a, b, c, d] = await loadInRounds(
    [
      {
        name: '(a) app members list',
        url: membersUrl,
        options: { headers, measurement: profile ?? undefined, server: app, databaseUrl: database.url },
      },
      {
        name: '(b) app /health/live',
        url: `${app.url}/health/live`,
        options: { server: app, databaseUrl: database.url },
      },
      {
        name: '(c) bare Fastify + pg, same SQL',
        url: `${bare.url}/members`,
        options: { server: bare, databaseUrl: database.url },
      },
      {
        name: '(d) bare Fastify + pg, one row by key',
        url: `${bare.url}/member`,
        options: { server: bare, databaseUrl: database.url },
      },
    ],
    settings,
  );
  if (withStats) await printStatementStats(database.url, '(a)');
  printResults('bench:http', settings, [a, b, c, d]);
  const verdict = (x: LoadResult, y: LoadResult) =>
    x.requestsPerSecond >= y.requestsPerSecond / 2 ? 'met' : 'NOT met';
  console.log(`ratio (a)/(c): ${ratio(a, c)}  (goal ≥ 0.50: ${verdict(a, c)})${perRound(a, c)}`);
  console.log(`ratio (a)/(d): ${ratio(a, d)}  (goal ≥ 0.50: ${verdict(a, d)})${perRound(a, d)}`);
  console.log(`ratio (a)/(b): ${ratio(a, b)}${perRound(a, b)}`);
  if (!withStats) {
    console.log(
      '\npg_stat_statements is not loaded on this server; EXPLAIN of the statements of (a) instead.',
    );
    await explainStatements(database.url, statements);
  }
  if (profile) printProfile('the app during (a)', profile.path);
});
