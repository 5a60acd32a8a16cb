import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEMPLATE_ENV = 'DAIYUN_TEST_TEMPLATE_URL';
export const EMBEDDED_TEST_PORT = Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54330);

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** A fresh database cloned from the migrated template: each test file gets its own. */
export async function createDatabaseFromTemplate(): Promise<{ url: string; drop: () => Promise<void> }> {
  const templateUrl = process.env[TEMPLATE_ENV];
  if (!templateUrl) throw new Error(`${TEMPLATE_ENV} is not set; run e2e tests through jest (global setup)`);
  const template = new URL(templateUrl).pathname.slice(1);
  const name = `${template.replace(/_tpl$/, '')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(templateUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return {
    url: withDatabase(templateUrl, name),
    drop: () => adminQuery(templateUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
