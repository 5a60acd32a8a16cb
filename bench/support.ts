import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/platform/database/data-source.options';
import { startEmbeddedDatabase } from '../src/platform/database/embedded-database';
import {
  adminQuery,
  canConnect,
  withDatabase,
  withoutPassword,
} from '../src/platform/database/postgres-server';
import { runMigrationsLocked } from '../src/platform/database/migrator';

/** Shared plumbing of the benches: where the database is, load generation, child servers, reporting. */

export const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_BENCH_PORT = Number(process.env.BENCH_EMBEDDED_PG_PORT ?? 54331);

export interface BenchSettings {
  connections: number;
  /** Measured seconds per target, over all rounds. */
  durationSeconds: number;
  warmupSeconds: number;
  /** The targets are measured in turn this many times (each for durationSeconds / rounds). */
  rounds: number;
}

export function benchSettings(): BenchSettings {
  return {
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    durationSeconds: Number(process.env.BENCH_DURATION ?? 12),
    warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
    // A profile covers one measured window.
    rounds: profileDirectory() ? 1 : Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3)),
  };
}

export interface BenchServer {
  /** Any database on the server; bench databases are created beside it. */
  url: string;
  label: string;
  stop(): Promise<void>;
}

/**
 * BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the machine's PostgreSQL on 127.0.0.1:5432 when it
 * answers, else an embedded PostgreSQL started for the run (data in .data/bench-postgres).
 */
export async function resolveBenchServer(): Promise<BenchServer> {
  for (const candidate of [process.env.BENCH_DATABASE_URL, process.env.TEST_DATABASE_URL, MACHINE_POSTGRES]) {
    if (candidate && (await canConnect(candidate))) {
      return { url: candidate, label: withoutPassword(candidate), stop: async () => {} };
    }
  }
  const embedded = await startEmbeddedDatabase({
    dataDir: process.env.BENCH_EMBEDDED_PG_DATA_DIR ?? '.data/bench-postgres',
    port: EMBEDDED_BENCH_PORT,
    database: 'postgres',
  });
  return {
    url: embedded.url,
    label: `embedded PostgreSQL on port ${EMBEDDED_BENCH_PORT}`,
    stop: embedded.stop,
  };
}

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database for this run, migrated exactly as the app migrates at boot. */
export async function createBenchDatabase(server: BenchServer): Promise<BenchDatabase> {
  const name = `daiyun_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(server.url, `CREATE DATABASE "${name}"`);
  const url = withDatabase(server.url, name);
  const dataSource = await new DataSource(buildDataSourceOptions({ url, poolSize: 2 })).initialize();
  try {
    await runMigrationsLocked(dataSource, { appRole: undefined });
  } finally {
    await dataSource.destroy();
  }
  return { url, name, drop: () => adminQuery(server.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  /** CPU time (user + system) the server process spent per request during the measurement, in µs. */
  cpuMicrosPerRequest: number | null;
  /** The same for the bench database's backends (when measured). */
  dbCpuMicrosPerRequest: number | null;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  /** Requests/s of each round's window, when measured in rounds. */
  rounds?: number[];
}

/** Brackets the measured part of a load (after the warm-up), e.g. to profile exactly that window. */
export interface Measurement {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** CPU seconds a process has used (Linux /proc; null elsewhere). */
export function cpuSeconds(pid: number): number | null {
  try {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
/** USER_HZ: 100 on every Linux build that matters here. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Backends of the bench database (the servers' pools), by pid, with their CPU seconds so far. */
export async function backendCpu(url: string): Promise<Map<number, number> | null> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      const seconds = cpuSeconds(pid);
      if (seconds === null) return null;
      cpu.set(pid, seconds);
    }
    return cpu;
  } finally {
    await client.end();
  }
}

export interface LoadOptions {
  headers?: Record<string, string>;
  measurement?: Measurement;
  /** The server under load: its CPU time per request is reported beside the throughput. */
  server?: ChildServer;
  /** The bench database: its backends' CPU time per request too (PostgreSQL on this machine only). */
  databaseUrl?: string;
}

export interface Target {
  name: string;
  url: string;
  options?: LoadOptions;
}

/** Seconds of load before each later round's window: the connections are new, the JIT is warm. */
const REWARM_SECONDS = 1;

/**
 * Each target loaded in turn, `settings.rounds` times over, and each target's windows added up. On a
 * shared machine the load of everything else drifts over a minute; interleaving spreads that drift
 * over all targets instead of charging it to whichever ran during the busy seconds, so the ratios
 * between targets hold better than their absolute numbers.
 */
export async function loadInRounds(targets: Target[], settings: BenchSettings): Promise<LoadResult[]> {
  const windows: LoadResult[][] = targets.map(() => []);
  const slice = { ...settings, durationSeconds: settings.durationSeconds / settings.rounds };
  for (let round = 0; round < settings.rounds; round++) {
    const warm = round === 0 ? settings.warmupSeconds : Math.min(REWARM_SECONDS, settings.warmupSeconds);
    for (const [i, target] of targets.entries()) {
      windows[i].push(await load(target.name, target.url, { ...slice, warmupSeconds: warm }, target.options));
    }
  }
  return windows.map(combine);
}

/** `; rounds 0.48 0.52 0.50`: the ratio of x to y in each round, when measured in rounds. */
export function perRound(x: LoadResult, y: LoadResult): string {
  if (!x.rounds || !y.rounds || x.rounds.length < 2) return '';
  return `; rounds ${x.rounds.map((rate, i) => (rate / (y.rounds as number[])[i]).toFixed(2)).join(' ')}`;
}

function combine(windows: LoadResult[]): LoadResult {
  if (windows.length === 1) return windows[0];
  const total = windows.reduce((sum, w) => sum + w.total, 0);
  const perRequest = (pick: (w: LoadResult) => number | null) =>
    windows.every((w) => pick(w) !== null)
      ? windows.reduce((sum, w) => sum + (pick(w) as number) * w.total, 0) / total
      : null;
  return {
    name: windows[0].name,
    // Every window lasts the same: the mean of their rates is the rate over all of them.
    requestsPerSecond: windows.reduce((sum, w) => sum + w.requestsPerSecond, 0) / windows.length,
    cpuMicrosPerRequest: perRequest((w) => w.cpuMicrosPerRequest),
    dbCpuMicrosPerRequest: perRequest((w) => w.dbCpuMicrosPerRequest),
    p50: windows.reduce((sum, w) => sum + w.p50 * w.total, 0) / total,
    p99: Math.max(...windows.map((w) => w.p99)),
    total,
    non2xx: windows.reduce((sum, w) => sum + w.non2xx, 0),
    errors: windows.reduce((sum, w) => sum + w.errors, 0),
    rounds: windows.map((w) => w.requestsPerSecond),
  };
}

/** One autocannon run on loopback after a short warm-up (JIT, pools, caches), keep-alive, no pipelining. */
export async function load(
  name: string,
  url: string,
  settings: BenchSettings,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const base = { url, headers: options.headers ?? {}, connections: settings.connections, pipelining: 1 };
  if (settings.warmupSeconds > 0) await autocannon({ ...base, duration: settings.warmupSeconds });
  await options.measurement?.start();
  const dbBefore = options.databaseUrl ? await backendCpu(options.databaseUrl).catch(() => null) : null;
  const cpuBefore = options.server ? cpuSeconds(options.server.pid) : null;
  const result = await autocannon({ ...base, duration: settings.durationSeconds });
  const cpuAfter = options.server ? cpuSeconds(options.server.pid) : null;
  const dbAfter = options.databaseUrl ? await backendCpu(options.databaseUrl).catch(() => null) : null;
  let dbSeconds: number | null = null;
  if (dbBefore && dbAfter) {
    dbSeconds = 0;
    for (const [pid, seconds] of dbAfter) dbSeconds += seconds - (dbBefore.get(pid) ?? 0);
  }
  await options.measurement?.stop();
  return {
    name,
    requestsPerSecond: result.requests.average,
    cpuMicrosPerRequest:
      cpuBefore !== null && cpuAfter !== null && result.requests.total > 0
        ? ((cpuAfter - cpuBefore) * 1e6) / result.requests.total
        : null,
    dbCpuMicrosPerRequest:
      dbSeconds !== null && result.requests.total > 0 ? (dbSeconds * 1e6) / result.requests.total : null,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export function printResults(title: string, settings: BenchSettings, results: LoadResult[]): void {
  const width = Math.max(...results.map((r) => r.name.length), 8);
  const line = (cells: string[]) => console.log(cells.join('  '));
  console.log(
    `\n${title}: ${settings.connections} connections, ${settings.durationSeconds}s each ` +
      `(${settings.rounds} round(s) in turn, after ${settings.warmupSeconds}s warm-up); ` +
      `node ${process.version}, ${cpus().length} CPUs`,
  );
  line([
    'endpoint'.padEnd(width),
    'req/s'.padStart(9),
    'p50 ms'.padStart(7),
    'p99 ms'.padStart(7),
    'CPU µs/req'.padStart(10),
    'PG µs/req'.padStart(9),
    'non-2xx/errors',
  ]);
  for (const r of results) {
    line([
      r.name.padEnd(width),
      Math.round(r.requestsPerSecond).toString().padStart(9),
      r.p50.toFixed(0).padStart(7),
      r.p99.toFixed(0).padStart(7),
      (r.cpuMicrosPerRequest === null ? '-' : r.cpuMicrosPerRequest.toFixed(0)).padStart(10),
      (r.dbCpuMicrosPerRequest === null ? '-' : r.dbCpuMicrosPerRequest.toFixed(0)).padStart(9),
      `${r.non2xx}/${r.errors}`,
    ]);
  }
  const failed = results.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (failed.length)
    console.log(`warning: ${failed.map((r) => r.name).join(', ')} answered non-2xx or failed`);
}

/**
 * Where CPU profiles go when BENCH_PROFILE is set (`1` means `.data/profiles`), else null. Profiles
 * are of the app process during one measured load; `npm run bench:profile` sets it.
 */
export function profileDirectory(): string | null {
  const value = process.env.BENCH_PROFILE;
  if (!value || value === '0') return null;
  const dir = value === '1' ? join('.data', 'profiles') : value;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A Measurement that profiles `child` (which must answer profile-start/stop) into `dir`, then prints the summary. */
export function profiling(child: ChildServer, dir: string, label: string): Measurement & { path: string } {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${label.replace(/[^A-Za-z0-9]+/g, '-')}-${stamp}.cpuprofile`);
  return {
    path,
    start: async () => {
      await child.ask({ type: 'profile-start' });
    },
    stop: async () => {
      await child.ask({ type: 'profile-stop', path: resolve(path) });
    },
  };
}

export interface ChildServer {
  url: string;
  pid: number;
  /** Sends a message and waits for the reply carrying the same id. */
  ask<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  type?: string;
  port?: number;
  error?: string;
}

/**
 * Runs a compiled bench server (dist/bench/<script>.js) in its own process, so the load generator and
 * the server under test don't share one event loop. The child reports its port over IPC.
 */
export async function startChild(script: string, env: Record<string, string>): Promise<ChildServer> {
  const child: ChildProcess = fork(join(__dirname, `${script}.js`), [], {
    env: { ...process.env, ...env },
    execArgv: ['--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let sequence = 0;
  const pending = new Map<number, { resolve: (value: Reply) => void; reject: (error: Error) => void }>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before listening`)));
    child.on('message', (message: Reply) => {
      if (message.type === 'listening' && message.port) resolve(message.port);
      if (message.type === 'failed') reject(new Error(`${script}: ${message.error}`));
      if (message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message);
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    ask: <T>(message: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        const id = ++sequence;
        pending.set(id, { resolve: (value) => resolve(value as T), reject });
        child.send({ ...message, id });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a bench's main function and always cleans up, reporting failures with exit code 1. */
export function runBench(main: (cleanup: (fn: () => Promise<void>) => void) => Promise<void>): void {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanAll = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((error: unknown) => console.error('cleanup failed:', error));
  };
  process.once('SIGINT', () => {
    console.error('interrupted: cleaning up');
    void cleanAll().then(() => process.exit(130));
  });
  main((fn) => cleanups.push(fn))
    .then(cleanAll)
    .then(
      () => process.exit(0),
      async (error: unknown) => {
        console.error('bench failed:', error instanceof Error ? error.message : error);
        await cleanAll();
        process.exit(1);
      },
    );
}
