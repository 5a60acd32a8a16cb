import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobsService } from '../../platform/jobs/jobs.service';
import { CareService } from './care.service';

export const CARE_TASKS_JOB = 'customers.care-tasks';

/**
 * Opens the care tasks that have fallen due, every fifteen minutes. pg-boss runs one scheduled job per
 * tick across all replicas, and the generator itself is idempotent per customer and due date, so a
 * retried or overlapping run opens nothing twice.
 */
@Injectable()
export class CareTasksJob implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly care: CareService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(CARE_TASKS_JOB, () => this.run().then(() => undefined), {
      pollingIntervalSeconds: 30,
      cron: '*/15 * * * *',
    });
  }

  run(): Promise<number> {
    return this.care.generateDueTasks();
  }
}
