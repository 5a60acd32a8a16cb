import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnvironment } from '../config/config.schema';
import { buildDataSourceOptions } from './data-source.options';

/** The embedded server's default database, as `startEmbeddedDatabase` creates it (user, password, name). */
export function embeddedDefaultUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/daiyun`;
}

const env = validateEnvironment(process.env);

/**
 * The DataSource the TypeORM CLI loads (`typeorm migration:generate -d dist/src/platform/database/data-source.js`),
 * with the app's own options. Without DATABASE_URL it points at the embedded server, which must then be
 * running: `npm run migration:generate` starts it when needed.
 */
export default new DataSource(
  buildDataSourceOptions({
    url: env.DATABASE_URL ?? embeddedDefaultUrl(env.EMBEDDED_PG_PORT),
    poolSize: 2,
    ssl: env.DATABASE_SSL,
    applicationName: 'daiyun-cli',
  }),
);
