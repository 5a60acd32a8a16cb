import 'reflect-metadata';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { Environment, validateEnvironment } from '../platform/config/config.schema';
import { embeddedDefaultUrl } from '../platform/database/data-source';
import { buildDataSourceOptions } from '../platform/database/data-source.options';
import { resolveDatabase } from '../platform/database/database-url';
import { runMigrationsLocked } from '../platform/database/migrator';
import { DomainError } from '../platform/errors';
import { createPlatformAdmin } from './create-platform-admin.command';
import { MAX_ROTATION_BATCH, rotateKeys } from './rotate-keys.command';

/**
 * Ops commands that act on the application's data through its own services, so they obey the same
 * rules as the API. Each boots a Nest application context (no HTTP server, no job workers) on
 * DATABASE_URL or, when it is unset, the embedded PostgreSQL (reused when the app is running on it).
 *
 *   npm run admin -- create-platform-admin --username <name> --password <password> [--email e] [--phone p]
 *   npm run admin -- rotate-keys [--batch-size n]
 *
 * Works from source (`node -r @swc-node/register src/cli/admin.ts`) and compiled (`dist/src/cli/admin.js`).
 * To add a command, add an entry to COMMANDS.
 */

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Command {
  summary: string;
  usage: string;
  options: Options;
  run(app: INestApplicationContext, values: Values, print: (line: string) => void): Promise<void>;
}

const text = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

export const COMMANDS: Record<string, Command> = {
  'create-platform-admin': {
    summary: 'Create a user who owns the platform organization (the first platform administrator)',
    usage:
      'create-platform-admin --username <name> --password <password> [--email <email>] [--phone <mobile>]\n' +
      '  The password may come from ADMIN_PASSWORD instead, to keep it out of shell history.',
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      email: { type: 'string' },
      phone: { type: 'string' },
    },
    async run(app, values, print) {
      const username = text(values, 'username');
      const password = text(values, 'password') ?? process.env.ADMIN_PASSWORD;
      if (!username || !password) throw new UsageError('--username and --password are required');
      const user = await createPlatformAdmin(app, {
        username,
        password,
        email: text(values, 'email'),
        phone: text(values, 'phone'),
      });
      print(`Created platform administrator ${user.username} (${user.id}) with the platform owner role.`);
    },
  },
  'rotate-keys': {
    summary: 'Re-encrypt account credentials and resident ID numbers under ENCRYPTION_ACTIVE_KEY_ID',
    usage:
      `rotate-keys [--batch-size <1-${MAX_ROTATION_BATCH}>]\n` +
      '  Safe while the API serves. Exits 1 while anything remains under an old key: run it again then.\n' +
      '  Runbook: docs/credentials.md.',
    options: { 'batch-size': { type: 'string' } },
    async run(app, values, print) {
      const raw = text(values, 'batch-size');
      const batchSize = raw === undefined ? undefined : Number(raw);
      if (
        batchSize !== undefined &&
        !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= MAX_ROTATION_BATCH)
      ) {
        throw new UsageError(`--batch-size must be a whole number from 1 to ${MAX_ROTATION_BATCH}`);
      }
      if (!(await rotateKeys(app, { batchSize }, print))) {
        throw new Error('some values are still sealed with an old key (see above)');
      }
    },
  },
};

class UsageError extends Error {}

const stdout = (line: string) => process.stdout.write(`${line}\n`);

function usage(): string {
  const lines = ['usage: npm run admin -- <command> [options]', '', 'commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) {
    lines.push(`  ${name}: ${command.summary}`, `    ${command.usage.replace(/\n/g, '\n    ')}`);
  }
  return lines.join('\n');
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The database to work on, and how to let go of it afterwards. */
export async function openDatabase(
  env: Environment,
  print: (line: string) => void,
): Promise<{ url: string; stop: () => Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, stop: async () => undefined };
  // A second embedded server cannot start on the folder of a running one: use the running one.
  const running = embeddedDefaultUrl(env.EMBEDDED_PG_PORT);
  if (await answers(running)) return { url: running, stop: async () => undefined };
  const database = await resolveDatabase(env, print);
  return { url: database.url, stop: async () => database.embedded?.stop() };
}

/** The same schema step as boot: apply pending migrations when MIGRATIONS_RUN_ON_START allows it. */
export async function ensureSchema(
  env: Environment,
  url: string,
  print: (line: string) => void,
): Promise<void> {
  const dataSource = await new DataSource(
    buildDataSourceOptions({ url, poolSize: 2, ssl: env.DATABASE_SSL, applicationName: 'daiyun-admin' }),
  ).initialize();
  try {
    if (env.MIGRATIONS_RUN_ON_START) {
      const applied = await runMigrationsLocked(dataSource, { appRole: env.DATABASE_APP_ROLE });
      if (applied.length > 0) print(`Applied migrations: ${applied.join(', ')}`);
    } else if (await dataSource.showMigrations()) {
      throw new Error('The database has pending migrations: run `npm run migration:run` first');
    }
  } finally {
    await dataSource.destroy();
  }
}

/** Runs one command; answers the exit code (0 done, 1 refused or failed, 2 usage). */
export async function main(argv: string[], print: (line: string) => void = stdout): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    if (name === '--help' || name === 'help') {
      print(usage());
      return 0;
    }
    print(name ? `Unknown command "${name}".\n\n${usage()}` : usage());
    return 2;
  }

  let values: Values;
  let env: Environment;
  try {
    values = parseArgs({
      args: rest,
      options: command.options,
      strict: true,
      allowPositionals: false,
    }).values;
    env = validateEnvironment(process.env);
  } catch (error) {
    print(`${(error as Error).message}\n\nusage: npm run admin -- ${command.usage}`);
    return 2;
  }

  const database = await openDatabase(env, print);
  let app: INestApplicationContext | undefined;
  try {
    await ensureSchema(env, database.url, print);
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ databaseUrl: database.url, jobs: false }),
      {
        logger: ['error', 'warn'],
      },
    );
    await command.run(app, values, print);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      print(`${error.message}\n\nusage: npm run admin -- ${command.usage}`);
      return 2;
    }
    if (error instanceof DomainError) {
      print(`${name} refused: ${error.detail}`);
      for (const field of error.options.errors ?? []) print(`  ${field.field} ${field.message}`);
      return 1;
    }
    throw error;
  } finally {
    await app?.close();
    await database.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      stdout(`admin failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
