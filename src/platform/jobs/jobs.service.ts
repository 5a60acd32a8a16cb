import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { JOBS_OPTIONS, JobsOptions } from './jobs.options';

export type JobHandler<T> = (data: T) => Promise<void>;

interface Registration {
  name: string;
  handler: JobHandler<unknown>;
  pollingIntervalSeconds: number;
  cron?: string;
}

/**
 * The one door to background work. Modules register handlers and schedules while they initialise
 * (onModuleInit); workers start once the whole app is up and stop before the database goes away.
 * pg-boss keeps jobs in Postgres with SKIP LOCKED, so many replicas share the work and none repeats it.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly registrations = new Map<string, Registration>();
  private boss?: PgBoss;
  private started = false;

  constructor(@Inject(JOBS_OPTIONS) private readonly options: JobsOptions) {}

  register<T>(
    name: string,
    handler: JobHandler<T>,
    options: { pollingIntervalSeconds?: number; cron?: string } = {},
  ) {
    if (this.started) throw new Error(`Job "${name}" registered after start; register in onModuleInit`);
    this.registrations.set(name, {
      name,
      handler: handler as JobHandler<unknown>,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
      cron: options.cron,
    });
  }

  /** Queues a job (no-op when this process runs without a job queue). */
  async send(name: string, data: object = {}, options: { startAfterSeconds?: number } = {}) {
    if (!this.boss) return null;
    return this.boss.send(name, data, { startAfter: options.startAfterSeconds });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    const boss = new PgBoss({
      connectionString: this.options.connectionString,
      schema: 'pgboss',
      max: 3,
      application_name: 'daiyun-jobs',
    } as PgBoss.ConstructorOptions);
    boss.on('error', (error) => this.logger.error({ err: error }, 'Job queue error'));
    await boss.start();
    for (const registration of this.registrations.values()) {
      await boss.createQueue(registration.name);
      await boss.work(
        registration.name,
        { pollingIntervalSeconds: registration.pollingIntervalSeconds, batchSize: 1 },
        async (jobs) => {
          for (const job of jobs) await registration.handler(job.data);
        },
      );
      if (registration.cron) await boss.schedule(registration.name, registration.cron, {}, { tz: 'UTC' });
    }
    this.boss = boss;
    this.started = true;
    this.logger.log(`Job workers started: ${[...this.registrations.keys()].join(', ') || 'none'}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: this.options.shutdownTimeoutMs });
  }
}
