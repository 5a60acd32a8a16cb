import { Client } from 'pg';
import { withDatabase } from '../../src/platform/database/postgres-server';

/** Drops every database this run created (template and per-file copies), then stops the embedded server. */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__DAIYUN_TEST__;
  if (!state) return;
  const client = new Client({ connectionString: withDatabase(state.serverUrl, 'postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname DESC`,
      [`${state.prefix}%`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await state.stopEmbedded?.();
}
