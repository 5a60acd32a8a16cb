import { Client } from 'pg';
import type { Statement } from './app-server';

/**
 * What PostgreSQL says about the statements of a load: pg_stat_statements figures (calls, mean time)
 * when the server has the module loaded (`shared_preload_libraries = 'pg_stat_statements'`), else
 * `EXPLAIN (ANALYZE, BUFFERS)` of each statement the app sent.
 */

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** True when pg_stat_statements is loaded on the server; installs the extension in the bench database. */
export async function statementStatsAvailable(url: string): Promise<boolean> {
  return withClient(url, async (client) => {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
      return true;
    } catch {
      return false;
    }
  });
}

/** Forgets the figures of this database only (the server may serve others). */
export async function resetStatementStats(url: string): Promise<void> {
  await withClient(url, (client) =>
    client.query(
      `SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`,
    ),
  );
}

interface StatRow {
  calls: string;
  mean_ms: number;
  total_ms: number;
  rows_per_call: number;
  hit_per_call: number;
  query: string;
}

const flat = (sql: string, max = 140) => {
  const text = sql.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

export async function printStatementStats(url: string, title: string): Promise<void> {
  const rows = await withClient(url, async (client) => {
    const result = await client.query<StatRow>(
      `SELECT calls, mean_exec_time AS mean_ms, total_exec_time AS total_ms,
              rows::float8 / greatest(calls, 1) AS rows_per_call,
              shared_blks_hit::float8 / greatest(calls, 1) AS hit_per_call, query
       FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       ORDER BY total_exec_time DESC LIMIT 6`,
    );
    return result.rows;
  });
  console.log(`\npg_stat_statements during ${title} (execution time; top by total):`);
  console.log('     calls  mean ms  total ms  rows/call  buffer hits/call  statement');
  for (const row of rows) {
    console.log(
      `${row.calls.padStart(10)}  ${row.mean_ms.toFixed(3).padStart(7)}  ${row.total_ms.toFixed(0).padStart(8)}  ` +
        `${row.rows_per_call.toFixed(1).padStart(9)}  ${row.hit_per_call.toFixed(1).padStart(16)}  ${flat(row.query)}`,
    );
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement, after a few runs so caches are warm. */
export async function explainStatements(url: string, statements: Statement[]): Promise<void> {
  await withClient(url, async (client) => {
    for (const [i, statement] of statements.entries()) {
      for (let n = 0; n < 20; n++) await client.query(statement.query, statement.parameters);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${statement.query}`,
        statement.parameters,
      );
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of statement ${i + 1}: ${flat(statement.query, 100)}`);
      for (const row of rows) console.log(`  ${row['QUERY PLAN']}`);
    }
  });
}
