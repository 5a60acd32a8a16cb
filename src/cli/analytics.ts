import 'reflect-metadata';
import { createReadStream, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { parseArgs } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { EventIngestion } from '../modules/analytics/event-ingestion.service';
import { RollupRebuilds, rebuildDays } from '../modules/analytics/rollups/rollup-rebuilds.service';
import { validateEnvironment } from '../platform/config/config.schema';
import { DomainError } from '../platform/errors';
import { ensureSchema, openDatabase } from './admin';

/**
 * Analytics ops commands, on DATABASE_URL or the embedded PostgreSQL like `npm run admin`:
 *
 *   npm run analytics -- import FILE --org ORG_ID
 *   npm run analytics -- rebuild-rollups --org ORG_ID --from YYYY-MM-DD --to YYYY-MM-DD
 *
 * `import` loads an NDJSON file of events straight into the event store with the same rules as
 * `POST /orgs/{orgId}/events/import` (acting for the organization as a whole), streaming the file, with
 * a progress bar on stderr. It prints the counts as JSON on stdout; re-running it is safe.
 *
 * `rebuild-rollups` recomputes the rollups of the organization's local days `from`…`to` from the raw
 * events, like `POST /orgs/{orgId}/analytics/rollups/rebuilds` but in this process: it records the
 * rebuild (so its progress shows through the API as well), runs it day by day with a progress bar on
 * stderr, and prints the finished rebuild as JSON.
 */

const USAGE =
  'usage: npm run analytics -- import FILE --org ORG_ID\n' +
  '       npm run analytics -- rebuild-rollups --org ORG_ID --from YYYY-MM-DD --to YYYY-MM-DD';
const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const stdout = (line: string) => process.stdout.write(`${line}\n`);

/** A one-line progress bar, redrawn at most every 200 ms. */
function progressBar(total: number) {
  const started = Date.now();
  let drawn = 0;
  return (bytes: number, events: number, final = false) => {
    const now = Date.now();
    if (!final && now - drawn < 200) return;
    drawn = now;
    const share = total > 0 ? Math.min(1, bytes / total) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    const rate = Math.round(events / Math.max(0.001, (now - started) / 1000));
    const mb = (n: number) => (n / 1_048_576).toFixed(1);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(1)}% ` +
        `${mb(bytes)}/${mb(total)} MB  ${events} events  ${rate} events/s${final ? '\n' : ''}`,
    );
  };
}

export async function main(argv: string[], print: (line: string) => void = stdout): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'rebuild-rollups') return rebuildRollups(rest, print);
  if (command !== 'import') {
    print(USAGE);
    return command === '--help' || command === 'help' ? 0 : 2;
  }
  let file: string;
  let orgId: string;
  try {
    const parsed = parseArgs({ args: rest, options: { org: { type: 'string' } }, allowPositionals: true });
    if (parsed.positionals.length !== 1) throw new Error('give exactly one FILE');
    file = parsed.positionals[0];
    orgId = parsed.values.org ?? '';
    if (!UUID.test(orgId)) throw new Error('--org must be the organization id (a UUID)');
    statSync(file);
  } catch (error) {
    print(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  const env = validateEnvironment(process.env);
  const database = await openDatabase(env, print);
  let app: INestApplicationContext | undefined;
  try {
    await ensureSchema(env, database.url, print);
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ databaseUrl: database.url, jobs: false }),
      { logger: ['error', 'warn'] },
    );
    const rows: unknown[] = await app
      .get(DataSource)
      .query(`SELECT 1 FROM organizations WHERE id = $1 AND kind <> 'platform'`, [orgId]);
    if (rows.length === 0) {
      print(`No organization ${orgId}`);
      return 1;
    }
    const total = statSync(file).size;
    const draw = progressBar(total);
    let bytes = 0;
    let events = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        draw(bytes, events);
        callback(null, chunk);
      },
    });
    const source = createReadStream(file);
    source.on('error', (error) => counter.destroy(error));
    const result = await app
      .get(EventIngestion)
      .importForOrganization(orgId, source.pipe(counter), Number.MAX_SAFE_INTEGER, (totals) => {
        events = totals.stored + totals.duplicates + totals.refused;
        draw(bytes, events);
      });
    draw(bytes, result.stored + result.duplicates + result.refused, true);
    print(JSON.stringify(result, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      print(`import refused: ${error.detail}`);
      for (const field of error.options.errors ?? []) print(`  ${field.field} ${field.message}`);
      return 1;
    }
    throw error;
  } finally {
    await app?.close();
    await database.stop();
  }
}

/** A progress bar over days, redrawn per day. */
function dayProgress(done: number, total: number) {
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} days${done === total ? '\n' : ''}`,
  );
}

async function rebuildRollups(args: string[], print: (line: string) => void): Promise<number> {
  let orgId: string;
  let range: { from: string; to: string };
  try {
    const parsed = parseArgs({
      args,
      options: { org: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
    });
    orgId = parsed.values.org ?? '';
    if (!UUID.test(orgId)) throw new Error('--org must be the organization id (a UUID)');
    const { from = '', to = '' } = parsed.values;
    for (const [name, value] of [
      ['--from', from],
      ['--to', to],
    ]) {
      if (!DAY_TEXT.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
        throw new Error(`${name} must be a day as YYYY-MM-DD`);
      }
    }
    range = { from, to };
    rebuildDays(range);
  } catch (error) {
    const message =
      error instanceof DomainError
        ? (error.options.errors ?? []).map((e) => `${e.field} ${e.message}`).join('\n') || error.detail
        : (error as Error).message;
    print(`${message}\n\n${USAGE}`);
    return 2;
  }

  const env = validateEnvironment(process.env);
  const database = await openDatabase(env, print);
  let app: INestApplicationContext | undefined;
  try {
    await ensureSchema(env, database.url, print);
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ databaseUrl: database.url, jobs: false }),
      { logger: ['error', 'warn'] },
    );
    const rows: unknown[] = await app
      .get(DataSource)
      .query(`SELECT 1 FROM organizations WHERE id = $1 AND kind <> 'platform'`, [orgId]);
    if (rows.length === 0) {
      print(`No organization ${orgId}`);
      return 1;
    }
    const rebuilds = app.get(RollupRebuilds);
    const created = await rebuilds.create(orgId, range, null);
    const result = await rebuilds.execute(created.id, dayProgress);
    print(JSON.stringify(result, null, 2));
    return result?.status === 'done' ? 0 : 1;
  } finally {
    await app?.close();
    await database.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      stdout(`analytics failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
