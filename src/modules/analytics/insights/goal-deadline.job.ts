import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JobsService } from '../../../platform/jobs/jobs.service';
import { GoalsService } from './goals.service';

export const GOAL_DEADLINES_JOB = 'analytics.goal-deadlines';

/**
 * Every minute, judges the goals whose deadline has passed: achieved when the mean of the 7 whole
 * days before the deadline reached the target, missed otherwise. pg-boss runs one scheduled job per
 * tick across replicas, and `GoalsService.judgeDue` claims each goal under a row lock and changes only
 * active goals, so a goal is judged exactly once.
 */
@Injectable()
export class GoalDeadlineJob implements OnModuleInit {
  private readonly logger = new Logger('AnalyticsGoals');

  constructor(
    private readonly jobs: JobsService,
    private readonly goals: GoalsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(GOAL_DEADLINES_JOB, () => this.run().then(() => undefined), {
      pollingIntervalSeconds: 30,
      cron: '* * * * *',
    });
  }

  async run(): Promise<number> {
    const judged = await this.goals.judgeDue();
    if (judged > 0) this.logger.log(`Goals judged at their deadline: ${judged}`);
    return judged;
  }
}
