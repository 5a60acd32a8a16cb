import { Environment } from '../config/config.schema';
import { EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database';

export interface ResolvedDatabase {
  url: string;
  embedded?: EmbeddedDatabase;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL, started (and initialised on first use). */
export async function resolveDatabase(
  env: Environment,
  log: (line: string) => void,
): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  log(
    `DATABASE_URL is unset: starting embedded PostgreSQL in ${env.EMBEDDED_PG_DATA_DIR} on port ${env.EMBEDDED_PG_PORT}`,
  );
  const embedded = await startEmbeddedDatabase({
    dataDir: env.EMBEDDED_PG_DATA_DIR,
    port: env.EMBEDDED_PG_PORT,
    log: (line) => {
      if (/FATAL|ERROR|PANIC/.test(line)) log(`[embedded-postgres] ${line}`);
    },
  });
  return { url: embedded.url, embedded };
}
