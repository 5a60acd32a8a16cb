import { DataSource, Migration } from 'typeorm';

// Any fixed 64-bit number: replicas booting together serialize on it, so migrations never run twice.
const MIGRATION_LOCK_KEY = 4_273_019_551;

/**
 * Runs pending migrations under a Postgres advisory lock; returns the names of those applied.
 * The lock holds one pooled connection while TypeORM migrates on another: the pool needs two.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied: Migration[] = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
