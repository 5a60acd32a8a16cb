import { randomBytes } from 'node:crypto';
import { adminQuery, withDatabase } from '../../src/platform/database/postgres-server';

export const TEMPLATE_ENV = 'DAIYUN_TEST_TEMPLATE_URL';
export const EMBEDDED_TEST_PORT = Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54330);

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
