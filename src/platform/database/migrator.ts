import { DataSource, Migration } from 'typeorm';

// Any fixed 64-bit number: replicas booting together serialize on it, so migrations never run twice.
const MIGRATION_LOCK_KEY = 4_273_019_551;

/** Tables whose rows, once written, must never change or go: audit trails and usage-record chains. */
export const APPEND_ONLY_TABLES = ['operation_logs', 'account_usage_records', 'account_usage_checkpoints'];

export interface MigrateOptions {
  /**
   * The role the application connects as (DATABASE_APP_ROLE). When set, every run ends by taking
   * UPDATE, DELETE and TRUNCATE on the append-only tables away from it, so that even a compromised
   * application cannot rewrite history; the triggers refuse those statements too, for every role.
   */
  appRole?: string;
}

/**
 * Runs pending migrations under a Postgres advisory lock; returns the names of those applied.
 * The lock holds one pooled connection while TypeORM migrates on another: the pool needs two.
 * `appRole` defaults to DATABASE_APP_ROLE, which every caller has validated with the configuration.
 */
export async function runMigrationsLocked(
  dataSource: DataSource,
  options: MigrateOptions,
): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied: Migration[] = await dataSource.runMigrations({ transaction: 'each' });
    if (options.appRole) await restrictAppRole(dataSource, options.appRole);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * Applies the append-only privileges to `role` on the tables that exist (after every run, not only
 * after new migrations: default privileges or a hand-made GRANT may have widened them since).
 * Refuses a role that could undo it: the migrating role itself, a superuser, or an owner of the tables.
 */
export async function restrictAppRole(dataSource: DataSource, role: string): Promise<void> {
  const [target]: { is_current: boolean; superuser: boolean; owns: boolean }[] = await dataSource.query(
    `SELECT r.rolname = current_user AS is_current, r.rolsuper AS superuser,
            EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.oid = ANY (
              SELECT to_regclass(t)::oid FROM unnest($2::text[]) t)) AS owns
       FROM pg_roles r WHERE r.rolname = $1`,
    [role, APPEND_ONLY_TABLES],
  );
  if (!target) throw new Error(`DATABASE_APP_ROLE "${role}" does not exist; create it or unset the variable`);
  if (target.is_current || target.superuser || target.owns) {
    throw new Error(
      `DATABASE_APP_ROLE "${role}" must be a plain login role the API connects as: not the role that runs ` +
        'migrations, not a superuser and not the owner of the tables (an owner could re-grant itself)',
    );
  }
  const existing: { name: string }[] = await dataSource.query(
    `SELECT t AS name FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL`,
    [APPEND_ONLY_TABLES],
  );
  for (const statement of appendOnlyPrivilegeStatements(
    role,
    existing.map((t) => t.name),
  )) {
    await dataSource.query(statement);
  }
}

/** `"name"` with embedded quotes doubled: the only safe way to put a role name into SQL. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes('\0')) {
    throw new Error(`Invalid PostgreSQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** The statements that leave `role` able to read and insert into `tables`, and nothing more. */
export function appendOnlyPrivilegeStatements(role: string, tables: readonly string[]): string[] {
  if (tables.length === 0) return [];
  const list = tables.map(quoteIdentifier).join(', ');
  const grantee = quoteIdentifier(role);
  return [
    `REVOKE UPDATE, DELETE, TRUNCATE ON TABLE ${list} FROM ${grantee}`,
    `GRANT SELECT, INSERT ON TABLE ${list} TO ${grantee}`,
  ];
}
