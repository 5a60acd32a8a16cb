import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './naming.strategy';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  ssl?: boolean;
  applicationName?: string;
}

const root = join(__dirname, '..', '..', '..');

/** One definition of the connection, shared by the app, the migration CLI and the tests. */
export function buildDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    ssl: settings.ssl ? { rejectUnauthorized: false } : false,
    entities: [join(root, 'src', '**', '*.entity.{ts,js}')],
    migrations: [join(root, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    // Failed queries are rendered by the error filter; logging them here would print their parameters.
    logging: false,
    extra: {
      max: settings.poolSize ?? 10,
      application_name: settings.applicationName ?? 'daiyun',
      // Store and compare every timestamp in UTC, whatever the server's TimeZone is.
      options: '-c TimeZone=UTC',
    },
  };
}
