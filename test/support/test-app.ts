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
import { responseViolation } from './response-contract';

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

/** Routes served beside the API that the spec does not describe: the API reference itself. */
const UNDOCUMENTED_ROUTES = /^\/docs/;

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
  // Every response the test provokes is checked against the committed spec; close() fails the file on
  // any mismatch, so the spec cannot drift from what the server sends.
  const violations = new Set<string>();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      const route = request.routeOptions.url;
      if (
        route &&
        !UNDOCUMENTED_ROUTES.test(route) &&
        request.method !== 'OPTIONS' &&
        request.method !== 'HEAD'
      ) {
        const contentType = reply.getHeader('content-type');
        const violation = responseViolation({
          method: request.method,
          route,
          status: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : undefined,
          body: typeof payload === 'string' ? payload : '',
        });
        if (violation) violations.add(violation);
      }
      done(null, payload);
    });
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
      if (violations.size > 0) {
        throw new Error(
          `Responses that do not match openapi/openapi.json:\n  ${[...violations].join('\n  ')}`,
        );
      }
    },
  };
}
