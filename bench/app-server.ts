import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { DataSource, Logger, ObjectLiteral, QueryRunner } from 'typeorm';
import { createApp } from '../src/app.factory';
import { AccessTokenService } from '../src/modules/access/access-token.service';
import { RollupBuilder } from '../src/modules/analytics/rollups/rollup-builder';
import { Profiler } from './cpu-profile';
import { answerParent } from './ipc';

/**
 * The real Daiyun app (createApp, exactly as main.ts builds it) in a child process for the benches.
 * Besides serving it answers the parent over IPC: sign an access token, and record the SQL the app
 * sends while one request is served, so the bare Fastify + pg reference can replay the same statements.
 */

export interface Statement {
  query: string;
  parameters: unknown[];
}

/** Passes everything to the app's own logger and, while capturing, records each query with its parameters. */
class CapturingLogger implements Logger {
  capturing = false;
  captured: Statement[] = [];

  constructor(private readonly inner: Logger) {}

  logQuery(query: string, parameters?: unknown[] | ObjectLiteral, queryRunner?: QueryRunner) {
    if (this.capturing)
      this.captured.push({ query, parameters: Array.isArray(parameters) ? parameters : [] });
    return this.inner.logQuery(query, parameters, queryRunner);
  }
  logQueryError(
    error: string | Error,
    query: string,
    parameters?: unknown[] | ObjectLiteral,
    qr?: QueryRunner,
  ) {
    return this.inner.logQueryError(error, query, parameters, qr);
  }
  logQuerySlow(time: number, query: string, parameters?: unknown[] | ObjectLiteral, qr?: QueryRunner) {
    return this.inner.logQuerySlow(time, query, parameters, qr);
  }
  logSchemaBuild(message: string, queryRunner?: QueryRunner) {
    return this.inner.logSchemaBuild(message, queryRunner);
  }
  logMigration(message: string, queryRunner?: QueryRunner) {
    return this.inner.logMigration(message, queryRunner);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown, queryRunner?: QueryRunner) {
    return this.inner.log(level, message, queryRunner);
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const app = await createApp({ databaseUrl, jobs: false });
  await app.listen({ port: 0, host: '127.0.0.1' });

  const dataSource = app.get(DataSource);
  const logger = new CapturingLogger(dataSource.logger);
  dataSource.logger = logger;

  const profiler = new Profiler();
  answerParent({
    sign: async (message) => ({
      token: app
        .get(AccessTokenService)
        .sign({ sub: String(message.sub), sid: String(message.sid) }, new Date()),
    }),
    // Builds an organization's rollups for a range of days (analytics-reports bench), as a rebuild does.
    'rebuild-rollups': async (message) => ({
      days: await app
        .get(RollupBuilder)
        .rebuildRange(String(message.orgId), String(message.from), String(message.to)),
    }),
    'capture-start': async () => {
      logger.captured = [];
      logger.capturing = true;
      return {};
    },
    'capture-stop': async () => {
      logger.capturing = false;
      return { statements: logger.captured };
    },
    memory: async () => ({ ...process.memoryUsage() }),
    'profile-start': async () => {
      await profiler.start();
      return {};
    },
    'profile-stop': async (message) => {
      await profiler.stop(String(message.path));
      return {};
    },
  });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));

  const { port } = app.getHttpServer().address() as AddressInfo;
  process.send?.({ type: 'listening', port });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
