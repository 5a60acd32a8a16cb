import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from './app.factory';
import { validateEnvironment } from './platform/config/config.schema';
import { buildDataSourceOptions } from './platform/database/data-source.options';
import { resolveDatabase } from './platform/database/database-url';
import { runMigrationsLocked } from './platform/database/migrator';

async function migrate(url: string, appRole: string | undefined, logger: Logger): Promise<void> {
  const dataSource = await new DataSource(buildDataSourceOptions({ url, poolSize: 2 })).initialize();
  try {
    const applied = await runMigrationsLocked(dataSource, { appRole });
    logger.log(
      applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date',
    );
  } finally {
    await dataSource.destroy();
  }
}

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    // Fail fast with the variable named; no stack trace needed for a configuration mistake.
    console.error((error as Error).message);
    process.exit(1);
  }

  const database = await resolveDatabase(env, (line) => logger.log(line));
  if (env.MIGRATIONS_RUN_ON_START) await migrate(database.url, env.DATABASE_APP_ROLE, logger);

  const app = await createApp({ databaseUrl: database.url });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing in-flight requests and jobs`);
    const timer = setTimeout(() => process.exit(1), env.SHUTDOWN_TIMEOUT_MS + 5000).unref();
    try {
      await app.close();
      // The embedded server goes last, after Nest has closed the pool and the job workers.
      await database.embedded?.stop();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: env.PORT, host: env.HOST });
  logger.log(`Daiyun API listening on http://${env.HOST}:${env.PORT} (docs at /docs)`);
}

void bootstrap().catch((error: unknown) => {
  console.error('Start-up failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
