import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/platform/database/data-source.options';
import { startEmbeddedDatabase } from '../../src/platform/database/embedded-database';
import { runMigrationsLocked } from '../../src/platform/database/migrator';
import { adminQuery, canConnect, withDatabase } from '../../src/platform/database/postgres-server';
import { EMBEDDED_TEST_PORT, TEMPLATE_ENV } from './database';

declare global {
  var __DAIYUN_TEST__: { serverUrl: string; prefix: string; stopEmbedded?: () => Promise<void> } | undefined;
}

/**
 * Once per run: pick the server (TEST_DATABASE_URL, else the embedded PostgreSQL), create a template
 * database for this run, migrate it and install the job queue schema. Test files clone it.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!serverUrl || !(await canConnect(serverUrl))) {
    if (serverUrl)
      console.warn(`\nTEST_DATABASE_URL is not reachable; using the embedded PostgreSQL instead`);
    const embedded = await startEmbeddedDatabase({
      dataDir: process.env.TEST_EMBEDDED_PG_DATA_DIR ?? '.data/test-postgres',
      port: EMBEDDED_TEST_PORT,
      database: 'postgres',
    });
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }

  const prefix = `daiyun_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const templateUrl = withDatabase(serverUrl, `${prefix}_tpl`);
  await adminQuery(serverUrl, `CREATE DATABASE "${prefix}_tpl"`);

  const dataSource = await new DataSource(
    buildDataSourceOptions({ url: templateUrl, poolSize: 2 }),
  ).initialize();
  await runMigrationsLocked(dataSource, { appRole: undefined });
  await dataSource.destroy();

  const boss = new PgBoss({
    connectionString: templateUrl,
    schema: 'pgboss',
    max: 1,
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });

  process.env[TEMPLATE_ENV] = templateUrl;
  globalThis.__DAIYUN_TEST__ = { serverUrl, prefix, stopEmbedded };
}
