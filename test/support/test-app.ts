import 'reflect-metadata';
import { Abstract, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { configureApp, createFastifyAdapter } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { ManualClock, Clock } from '../../src/platform/clock/clock';
import { validateEnvironment } from '../../src/platform/config/config.schema';
import { createDatabaseFromTemplate } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  /** The app's database; pass it as `databaseUrl` to start a second instance on the same one. */
  databaseUrl: string;
  http: () => ReturnType<typeof request>;
  db: DataSource;
  clock: ManualClock;
  get<T>(token: Type<T> | string | symbol): T;
  close(): Promise<void>;
}

export interface TestAppOptions {
  jobs?: boolean;
  env?: Record<string, string>;
  /**
   * Run on this (already migrated) database instead of a fresh copy of the template, e.g. a second
   * app instance beside another one: each has its own process-local state, like two replicas.
   * The database is then left in place on close (its creator drops it).
   */
  databaseUrl?: string;
  /** Replace providers that stand for things outside the system (a mail gateway, say). */
  overrides?: { provide: Type<unknown> | Abstract<unknown> | string | symbol; useValue: unknown }[];
}

/** Boots the real app on a fresh database copied from the migrated template. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  Object.assign(process.env, options.env ?? {});
  const database = options.databaseUrl
    ? { url: options.databaseUrl, drop: async () => {} }
    : await createDatabaseFromTemplate();
  const clock = new ManualClock(new Date());
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoot({ databaseUrl: database.url, jobs: options.jobs ?? false })],
  })
    .overrideProvider(Clock)
    .useValue(clock);
  for (const override of options.overrides ?? []) {
    builder = builder.overrideProvider(override.provide).useValue(override.useValue);
  }
  const moduleRef = await builder.compile();
  const env = validateEnvironment(process.env);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(env), {
    logger: false,
  });
  await configureApp(app, env);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    databaseUrl: database.url,
    http: () => request(app.getHttpServer()),
    db: app.get(DataSource),
    clock,
    get: <T>(token: Type<T> | string | symbol) => app.get<T>(token as Type<T>, { strict: false }),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
