import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnvironment } from '../config/config.schema';
import { buildDataSourceOptions } from './data-source.options';

/**
 * The DataSource the TypeORM CLI loads (`typeorm migration:generate -d dist/src/platform/database/data-source.js`).
 * Same options as the app. Without DATABASE_URL it points at the embedded server's default database
 * (the user, password and database name `startEmbeddedDatabase` uses), which must already be running:
 * `npm run migration:generate` takes care of that.
 */
const env = validateEnvironment(process.env);
export const EMBEDDED_DEFAULT_URL = `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/daiyun`;

export default new DataSource(
  buildDataSourceOptions({
    url: env.DATABASE_URL ?? EMBEDDED_DEFAULT_URL,
    poolSize: 2,
    ssl: env.DATABASE_SSL,
    applicationName: 'daiyun-cli',
  }),
);
