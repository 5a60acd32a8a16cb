import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { Environment, validateEnvironment } from '../platform/config/config.schema';
import { buildDataSourceOptions } from '../platform/database/data-source.options';
import { resolveDatabase } from '../platform/database/database-url';
import { runMigrationsLocked } from '../platform/database/migrator';
import { canConnect, withoutPassword } from '../platform/database/postgres-server';

/**
 * Ops commands for the schema, against DATABASE_URL or, when it is unset, the embedded PostgreSQL
 * (reused if the app is running on it, else started for the command and stopped after).
 *
 *   migrate run                 apply pending migrations (under the same advisory lock as boot)
 *   migrate revert              undo the last applied migration
 *   migrate show                list migrations, [X] applied / [ ] pending; exit code 1 when some are pending
 *   migrate create <Name>       write an empty migrations/<timestamp>-<Name>.ts to fill with SQL by hand
 *   migrate generate <Name>     write migrations/<timestamp>-<Name>.ts from the entity/schema difference
 *                               (TypeORM's generator; review it: see docs/operations.md)
 *
 * Runs from the compiled build (dist/src/cli/migrate.js): the npm scripts build first when needed.
 */

const USAGE = 'usage: migrate <run|revert|show|create <Name>|generate <Name>>';
const NAME = /^[A-Z][A-Za-z0-9]*$/;
const NAME_HINT = 'a PascalCase name, verb first (AddCampaignBudgets)';

const print = (line: string) => process.stdout.write(`${line}\n`);

/** The repository root, found from this file whether it runs compiled (dist/src/cli) or from source. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/** Prints what TypeORM reports about migrations and schema; queries stay quiet. */
class CliLogger implements TypeOrmLogger {
  logQuery(): void {}
  logQuerySlow(): void {}
  logQueryError(error: string | Error, query: string): void {
    print(`query failed: ${error instanceof Error ? error.message : error}\n  ${query}`);
  }
  logSchemaBuild(message: string): void {
    print(message);
  }
  logMigration(message: string): void {
    print(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') print(String(message));
  }
}

interface Target {
  url: string;
  /** Where the database is, without its password. */
  label: string;
  stop(): Promise<void>;
}

async function openTarget(env: Environment): Promise<Target> {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, label: withoutPassword(env.DATABASE_URL), stop: async () => {} };
  }
  // The app may be running on the embedded server right now; a second server on the same folder can't start.
  // Imported here, after the environment was validated: the module builds the CLI's DataSource on load.
  const { embeddedDefaultUrl } = await import('../platform/database/data-source.js');
  const running = embeddedDefaultUrl(env.EMBEDDED_PG_PORT);
  if (await canConnect(running)) {
    return {
      url: running,
      label: `embedded PostgreSQL (already running on port ${env.EMBEDDED_PG_PORT})`,
      stop: async () => {},
    };
  }
  const database = await resolveDatabase(env, (line) => print(line));
  return {
    url: database.url,
    label: `embedded PostgreSQL (${env.EMBEDDED_PG_DATA_DIR})`,
    stop: async () => database.embedded?.stop(),
  };
}

async function withDataSource<T>(
  env: Environment,
  url: string,
  fn: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const options = buildDataSourceOptions({
    url,
    poolSize: 2,
    ssl: env.DATABASE_SSL,
    applicationName: 'daiyun-migrate',
  });
  const dataSource = await new DataSource({ ...options, logger: new CliLogger() }).initialize();
  try {
    return await fn(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Runs the TypeORM CLI on the compiled data source, with DATABASE_URL pointing at the target. */
function typeormCli(root: string, url: string, args: string[]): number {
  const cli = require.resolve('typeorm/cli.js', { paths: [root] });
  const dataSourceFile = relative(root, join(root, 'dist', 'src', 'platform', 'database', 'data-source.js'));
  const result = spawnSync(process.execPath, [cli, ...args, '-d', dataSourceFile], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: url },
  });
  return result.status ?? 1;
}

async function generate(env: Environment, target: Target, name: string | undefined): Promise<number> {
  if (!name || !NAME.test(name)) {
    print(`usage: npm run migration:generate -- <Name>   (${NAME_HINT})`);
    return 2;
  }
  const root = projectRoot();
  const pending = await withDataSource(env, target.url, (dataSource) => dataSource.showMigrations());
  if (pending) {
    // Generating against an unmigrated schema would repeat what the pending migrations already do.
    print('The database has pending migrations: run `npm run migration:run` first, then generate.');
    return 1;
  }
  const folder = join(root, 'migrations');
  const before = new Set(readdirSync(folder));
  const status = typeormCli(root, target.url, ['migration:generate', join('migrations', name), '--pretty']);
  const created = readdirSync(folder).filter((file) => !before.has(file));
  if (status === 0 && created.length > 0) {
    // TypeORM writes its own formatting; bring the file to house style so lint stays green.
    const prettier = require.resolve('prettier/bin/prettier.cjs', { paths: [root] });
    const files = created.map((file) => join('migrations', file));
    spawnSync(process.execPath, [prettier, '--write', '--log-level', 'warn', ...files], {
      cwd: root,
      stdio: 'inherit',
    });
    print(
      `Review ${files.join(', ')} (every migration needs a working down), then run npm run migration:run.`,
    );
  }
  return status;
}

/**
 * An empty migration in house style. Its steps throw until written, so a forgotten one cannot be
 * recorded as applied.
 */
function create(name: string | undefined): number {
  if (!name || !NAME.test(name)) {
    print(`usage: npm run migration:create -- <Name>   (${NAME_HINT})`);
    return 2;
  }
  const timestamp = Date.now();
  const file = join(projectRoot(), 'migrations', `${timestamp}-${name}.ts`);
  writeFileSync(
    file,
    `import { MigrationInterface, QueryRunner } from 'typeorm';

/** What this migration changes, and why. */
export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  async up(q: QueryRunner): Promise<void> {
    await q.query(\`-- replace with the schema change\`);
    throw new Error('${name}.up() is not written yet');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(\`-- replace with the exact undo of up()\`);
    throw new Error('${name}.down() is not written yet');
  }
}
`,
  );
  print(`Created ${relative(process.cwd(), file)}: write up() and down(), then npm run migration:run.`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || !['run', 'revert', 'show', 'create', 'generate'].includes(command)) {
    print(USAGE);
    return 2;
  }
  // Writing a file needs no database.
  if (command === 'create') return create(rest[0]);

  let env: Environment;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    print((error as Error).message);
    return 1;
  }

  const target = await openTarget(env);
  print(`Database: ${target.label}`);
  try {
    switch (command) {
      case 'run':
        return await withDataSource(env, target.url, async (dataSource) => {
          const applied = await runMigrationsLocked(dataSource, { appRole: env.DATABASE_APP_ROLE });
          print(applied.length ? `Applied ${applied.length} migration(s).` : 'No pending migrations.');
          return 0;
        });
      case 'revert':
        return await withDataSource(env, target.url, async (dataSource) => {
          const table = dataSource.options.migrationsTableName ?? 'migrations';
          const [{ present }] = await dataSource.query<{ present: boolean }[]>(
            'SELECT to_regclass($1) IS NOT NULL AS present',
            [table],
          );
          const [last] = present
            ? await dataSource.query<{ name: string }[]>(
                `SELECT name FROM "${table}" ORDER BY id DESC LIMIT 1`,
              )
            : [];
          if (!last) {
            print('No migration has been applied: nothing to revert.');
            return 0;
          }
          await dataSource.undoLastMigration({ transaction: 'each' });
          print(`Reverted ${last.name}.`);
          return 0;
        });
      case 'show':
        return await withDataSource(env, target.url, async (dataSource) => {
          const pending = await dataSource.showMigrations();
          print(pending ? 'Some migrations are pending ([ ]).' : 'All migrations are applied.');
          return pending ? 1 : 0;
        });
      case 'check':
        return typeormCli(projectRoot(), target.url, [
          'migration:generate',
          join('migrations', 'Drift'),
          '--check',
        ]);
      case 'generate':
        return await generate(env, target, rest[0]);
    }
    return 2;
  } finally {
    await target.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
