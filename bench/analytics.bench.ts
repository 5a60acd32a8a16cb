import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync, unlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Client } from 'pg';
import { checkEvent } from '../src/modules/analytics/event-validation';
import { EventRow } from '../src/modules/analytics/event.types';
import { printProfile } from './cpu-profile';
import {
  backendCpu,
  ChildServer,
  cpuSeconds,
  createBenchDatabase,
  profileDirectory,
  profiling,
  resolveBenchServer,
  runBench,
  startChild,
} from './support';

/**
 * npm run bench:analytics: event ingestion against the database's own floor, side by side in one run
 * on a fresh database, the app in a child process.
 *
 *   (a) a plain `COPY … FROM STDIN (FORMAT csv)` (psql) of N events into analytics_events;
 *   (b) the same N events through POST /api/v1/orgs/{orgId}/events/batch over real HTTP, batches of
 *       1,000, several connections at once (the table emptied in between);
 *   (c) POST /events/import of a generated NDJSON file of BENCH_IMPORT_MB megabytes, sampling the app
 *       process's RSS every 100 ms: it should stay flat however large the file.
 *
 * Settings: BENCH_EVENTS (default 200000), BENCH_CONNECTIONS (default 4), BENCH_APPS (app processes
 * serving (b), default 1), BENCH_IMPORT_MB (default 200;
 * 0 skips (c)); BENCH_PROFILE=1 writes and summarizes a CPU profile of the app during (b).
 * Goal: (b) ≥ 0.5 × (a) in events/s (issue 13).
 */

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const IMPORT_MB = Number(process.env.BENCH_IMPORT_MB ?? 200);
/** API processes (replicas) serving (b); ingestion is stateless, any number run side by side. */
const APPS = Number(process.env.BENCH_APPS ?? 1);
const BATCH = 1000;

const REFERRERS = [
  'https://www.baidu.com/s?wd=shoes',
  'https://www.douyin.com/video/7',
  'https://m.weibo.cn/status/1',
  'https://www.xiaohongshu.com/explore/1',
  'https://blog.example.org/post',
  undefined,
];

/** One generated event, as a tracker would send it. */
function generateEvent(i: number, now: number, padding = ''): Record<string, unknown> {
  const purchase = i % 50 === 0;
  return {
    eventId: randomUUID(),
    type: purchase ? 'purchase' : i % 7 === 0 ? 'click' : 'page_view',
    occurredAt: new Date(now - (i % 86_400) * 1000).toISOString(),
    anonymousId: `anon-${i % 20_000}`,
    ...(i % 3 === 0 ? { userId: `user-${i % 5_000}` } : {}),
    sessionId: `s-${Math.floor(i / 8)}`,
    url: `https://shop.example.com/products/${i % 500}?from=feed`,
    ...(REFERRERS[i % REFERRERS.length] ? { referrer: REFERRERS[i % REFERRERS.length] } : {}),
    ...(i % 5 === 0 ? { utmSource: 'douyin', utmMedium: 'social', utmCampaign: 'double-12' } : {}),
    deviceType: i % 4 === 0 ? 'desktop' : 'mobile',
    os: i % 4 === 0 ? 'Windows' : 'iOS',
    browser: 'WeChat',
    ...(purchase ? { amount: 1000 + (i % 90_000) } : {}),
    properties: padding ? { sku: `SKU-${i % 300}`, padding } : { sku: `SKU-${i % 300}` },
  };
}

const COPY_COLUMNS = [
  'org_id',
  'event_id',
  'occurred_at',
  'type',
  'name',
  'anonymous_id',
  'user_id',
  'session_id',
  'url',
  'path',
  'referrer',
  'referrer_host',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'channel',
  'device_type',
  'os',
  'browser',
  'screen_width',
  'screen_height',
  'locale',
  'amount_fen',
  'social_account_id',
  'campaign_id',
  'ad_id',
  'properties',
];

const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return `"${text.replace(/"/g, '""')}"`;
};

function csvLine(orgId: string, row: EventRow): string {
  const values = [
    orgId,
    row.eventId,
    row.occurredAt,
    row.type,
    row.name,
    row.anonymousId,
    row.userId,
    row.sessionId,
    row.url,
    row.path,
    row.referrer,
    row.referrerHost,
    row.utmSource,
    row.utmMedium,
    row.utmCampaign,
    row.utmTerm,
    row.utmContent,
    row.channel,
    row.deviceType,
    row.os,
    row.browser,
    row.screenWidth,
    row.screenHeight,
    row.locale,
    row.amountFen,
    row.socialAccountId,
    row.campaignId,
    row.adId,
    row.properties,
  ];
  return `${values.map(csvCell).join(',')}\n`;
}

/** `COPY … FROM STDIN` through psql: the plainest bulk load PostgreSQL has. Answers seconds taken. */
async function copyIn(url: string, csv: string): Promise<number> {
  const started = process.hrtime.bigint();
  const psql = spawn(
    'psql',
    [
      url,
      '-v',
      'ON_ERROR_STOP=1',
      '-qc',
      `COPY analytics_events (${COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT csv)`,
    ],
    { stdio: ['pipe', 'inherit', 'inherit'] },
  );
  psql.stdin.end(csv);
  const [code] = (await once(psql, 'exit')) as [number];
  if (code !== 0) throw new Error(`psql COPY exited with ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function post(url: string, headers: Record<string, string>, body: string | NodeJS.ReadableStream) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: keepAlive }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else body.pipe(req);
  });
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function seed(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const userId = randomUUID();
    const orgId = randomUUID();
    await client.query(
      `INSERT INTO users (id, username, email, phone, password_hash) VALUES ($1, 'bench_tracker', 'bench@example.com', '13900000001', 'no-login')`,
      [userId],
    );
    await client.query(`INSERT INTO organizations (id, kind, name) VALUES ($1, 'brand', 'Bench Brand')`, [
      orgId,
    ]);
    const {
      rows: [unit],
    } = await client.query<{ id: string }>(
      `INSERT INTO org_units (org_id, name, path) VALUES ($1, 'Bench Brand', text2ltree($2)) RETURNING id`,
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
      `INSERT INTO roles (org_id, name, system_key) VALUES ($1, 'Operator', 'operator') RETURNING id`,
      [orgId],
    );
    await client.query(
      `INSERT INTO access_grants (org_id, user_id, role_id, unit_id, scope, effect) VALUES ($1, $2, $3, $4, 'org', 'allow')`,
      [orgId, userId, role.id, unit.id],
    );
    const sessionId = randomUUID();
    await client.query(
      `INSERT INTO auth_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`,
      [sessionId, userId],
    );
    return { orgId, userId, sessionId };
  } finally {
    await client.end();
  }
}

async function storedCount(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM analytics_events`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function sql(url: string, text: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function httpIngest(
  apps: readonly ChildServer[],
  orgId: string,
  headers: Record<string, string>,
  events: object[],
) {
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += BATCH)
    bodies.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));
  let next = 0;
  let stored = 0;
  const urls = apps.map((app) => `${app.url}/api/v1/orgs/${orgId}/events/batch`);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, connection) => {
      // Connections are spread over the app processes, as a load balancer in front of replicas would.
      const url = urls[connection % urls.length];
      while (next < bodies.length) {
        const body = bodies[next++];
        const res = await post(url, { ...headers, 'content-type': 'application/json' }, body);
        if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${res.text.slice(0, 300)}`);
        stored += (JSON.parse(res.text) as { stored: number }).stored;
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, stored };
}

async function writeImportFile(path: string, megabytes: number, now: number): Promise<number> {
  const out = createWriteStream(path);
  const padding = 'x'.repeat(700);
  let bytes = 0;
  let lines = 0;
  while (bytes < megabytes * 1_048_576) {
    const line = `${JSON.stringify(generateEvent(lines, now, padding))}\n`;
    bytes += Buffer.byteLength(line);
    lines += 1;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return lines;
}

runBench(async (cleanup) => {
  const server = await resolveBenchServer();
  cleanup(() => server.stop());
  const database = await createBenchDatabase(server);
  cleanup(() => database.drop());
  const seeded = await seed(database.url);
  const appEnv = {
    DATABASE_URL: database.url,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '10',
  };
  const app = await startChild('app-server', appEnv);
  cleanup(() => app.stop());
  const replicas = [app];
  for (let n = 1; n < APPS; n++) {
    const replica = await startChild('app-server', appEnv);
    cleanup(() => replica.stop());
    replicas.push(replica);
  }
  const { token } = await app.ask<{ token: string }>({
    type: 'sign',
    sub: seeded.userId,
    sid: seeded.sessionId,
  });
  const headers = { authorization: `Bearer ${token}` };
  console.log(
    `database: ${server.label} (${database.name}); ${EVENTS} events, ${CONNECTIONS} connections, ` +
      `${APPS} app process${APPS === 1 ? '' : 'es'}`,
  );

  const now = Date.now();
  const events = Array.from({ length: EVENTS }, (_, i) => generateEvent(i, now));
  // The rows exactly as ingestion stores them (channel derived, path taken from the URL), for COPY.
  const window = { now: new Date(now), retentionDays: 400 };
  const csv = events
    .map((event) => {
      const checked = checkEvent(event, window);
      if (!checked.ok) throw new Error(`generated an invalid event: ${JSON.stringify(checked.refusals)}`);
      return csvLine(seeded.orgId, checked.row);
    })
    .join('');

  // Warm the app (JIT, pool, prepared plans) on a separate small set, then start from an empty table.
  await httpIngest(
    replicas,
    seeded.orgId,
    headers,
    Array.from({ length: 5 * BATCH }, (_, i) => generateEvent(i, now)),
  );
  await sql(database.url, 'TRUNCATE analytics_events, analytics_event_ids');

  const copySeconds = await copyIn(database.url, csv);
  const copied = await storedCount(database.url);
  await sql(database.url, 'TRUNCATE analytics_events, analytics_event_ids');
  await sql(database.url, 'CHECKPOINT');

  const profileDir = profileDirectory();
  const profile = profileDir ? profiling(app, profileDir, 'analytics-batch') : null;
  await profile?.start();
  const appsCpu = () => replicas.reduce((sum, replica) => sum + (cpuSeconds(replica.pid) ?? 0), 0);
  const cpuBefore = appsCpu();
  const dbBefore = await backendCpu(database.url);
  const http = await httpIngest(replicas, seeded.orgId, headers, events);
  const appCpu = appsCpu() - cpuBefore;
  const dbAfter = await backendCpu(database.url);
  let dbCpu = 0;
  for (const [pid, seconds] of dbAfter ?? []) dbCpu += seconds - (dbBefore?.get(pid) ?? 0);
  await profile?.stop();
  const stored = await storedCount(database.url);
  if (copied !== EVENTS || stored !== EVENTS || http.stored !== EVENTS) {
    throw new Error(
      `expected ${EVENTS} events each time, COPY stored ${copied}, HTTP ${stored} (${http.stored})`,
    );
  }

  const copyRate = EVENTS / copySeconds;
  const httpRate = EVENTS / http.seconds;
  console.log('');
  console.log('ingestion of the same events into analytics_events');
  console.log(
    `  (a) COPY FROM STDIN        ${Math.round(copyRate).toLocaleString('en')} events/s (${copySeconds.toFixed(2)} s)`,
  );
  console.log(
    `  (b) HTTP batches of ${BATCH}   ${Math.round(httpRate).toLocaleString('en')} events/s (${http.seconds.toFixed(2)} s, ${CONNECTIONS} connections, ${APPS} app process${APPS === 1 ? '' : 'es'})`,
  );
  console.log(`  ratio (b)/(a): ${(httpRate / copyRate).toFixed(2)} (goal ≥ 0.5)`);
  // The app's own CPU per event during (b): less sensitive than wall time to what else the machine runs.
  console.log(
    `  CPU during (b): app ${appCpu.toFixed(2)} s (${((appCpu / EVENTS) * 1e6).toFixed(1)} µs per event), ` +
      `PostgreSQL backends ${dbCpu.toFixed(2)} s (${((dbCpu / EVENTS) * 1e6).toFixed(1)} µs per event)`,
  );

  if (profile) printProfile('the app during (b)', profile.path);

  let importResult: Record<string, unknown> | null = null;
  if (IMPORT_MB > 0) {
    const path = join(tmpdir(), `daiyun-bench-import-${process.pid}.ndjson`);
    cleanup(async () => unlinkSync(path));
    const lines = await writeImportFile(path, IMPORT_MB, Date.now());
    const size = statSync(path).size;
    // A fresh app process, so what (b) left in its heap does not count here.
    for (const replica of replicas) await replica.stop();
    const importer = await startChild('app-server', appEnv);
    cleanup(() => importer.stop());
    const before = rssMb(importer.pid);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(importer.pid)), 100);
    // Where the memory is, from the app itself: V8's heap (total reserved, used) and external Buffers.
    const heap = { total: 0, used: 0, external: 0 };
    const heapSampler = setInterval(() => {
      void importer
        .ask<{ heapTotal: number; heapUsed: number; external: number }>({ type: 'memory' })
        .then((m) => {
          heap.total = Math.max(heap.total, m.heapTotal / 1_048_576);
          heap.used = Math.max(heap.used, m.heapUsed / 1_048_576);
          heap.external = Math.max(heap.external, m.external / 1_048_576);
        })
        .catch(() => {});
    }, 250);
    const started = process.hrtime.bigint();
    const res = await post(
      `${importer.url}/api/v1/orgs/${seeded.orgId}/events/import`,
      { ...headers, 'content-type': 'application/x-ndjson', 'content-length': String(size) },
      createReadStream(path),
    );
    clearInterval(sampler);
    clearInterval(heapSampler);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (res.status !== 200) throw new Error(`import answered ${res.status}: ${res.text.slice(0, 300)}`);
    const counts = JSON.parse(res.text) as { stored: number; duplicates: number; refused: number };
    if (counts.stored !== lines) throw new Error(`import stored ${counts.stored} of ${lines} lines`);
    console.log('');
    console.log(`NDJSON import of ${(size / 1_048_576).toFixed(0)} MB (${lines.toLocaleString('en')} lines)`);
    console.log(
      `  ${seconds.toFixed(1)} s, ${Math.round(lines / seconds).toLocaleString('en')} events/s, ` +
        `${(size / 1_048_576 / seconds).toFixed(1)} MB/s`,
    );
    // Flat means the second half of the import peaks no higher than the first: memory follows the
    // batch, not the file.
    const half = Math.floor(samples.length / 2);
    const peak = Math.max(before, ...samples);
    const firstHalf = Math.max(before, ...samples.slice(0, half));
    const secondHalf = Math.max(before, ...samples.slice(half));
    const quarters = [0.25, 0.5, 0.75, 1].map(
      (q) => samples[Math.max(0, Math.ceil(samples.length * q) - 1)] ?? before,
    );
    console.log(
      `  app RSS: ${before.toFixed(0)} MB before; at 25/50/75/100 % of the time ` +
        `${quarters.map((mb) => mb.toFixed(0)).join(' / ')} MB; peak ${firstHalf.toFixed(0)} MB in the first half, ` +
        `${secondHalf.toFixed(0)} MB in the second (goal < 300 MB)`,
    );
    console.log(
      `  app V8 heap: peak ${heap.total.toFixed(0)} MB reserved, ${heap.used.toFixed(0)} MB used; ` +
        `external (Buffers) peak ${heap.external.toFixed(0)} MB`,
    );
    importResult = {
      megabytes: Math.round(size / 1_048_576),
      lines,
      seconds,
      rssBeforeMb: Math.round(before),
      rssPeakMb: Math.round(peak),
      rssPeakFirstHalfMb: Math.round(firstHalf),
      rssPeakSecondHalfMb: Math.round(secondHalf),
      heapTotalPeakMb: Math.round(heap.total),
      heapUsedPeakMb: Math.round(heap.used),
      externalPeakMb: Math.round(heap.external),
    };
  }

  console.log('');
  console.log(
    JSON.stringify({
      events: EVENTS,
      connections: CONNECTIONS,
      apps: APPS,
      copyEventsPerSecond: Math.round(copyRate),
      httpEventsPerSecond: Math.round(httpRate),
      ratio: Number((httpRate / copyRate).toFixed(2)),
      appCpuMicrosecondsPerEvent: Number(((appCpu / EVENTS) * 1e6).toFixed(1)),
      databaseCpuMicrosecondsPerEvent: Number(((dbCpu / EVENTS) * 1e6).toFixed(1)),
      import: importResult,
    }),
  );
});
