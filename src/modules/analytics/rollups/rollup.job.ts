import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JobsService } from '../../../platform/jobs/jobs.service';
import { DirtyRun, RollupBuilder } from './rollup-builder';
import { ROLLUP_JOB, ROLLUP_REBUILD_JOB } from './rollup-job-names';
import { RollupRebuilds } from './rollup-rebuilds.service';

/**
 * Keeps the rollups current: every minute, folds the hours ingestion marked dirty (new and late events
 * alike) into the rollups. pg-boss runs one scheduled job per tick across all replicas, and the marks
 * are taken with SKIP LOCKED inside the transaction that recomputes their days, so a mark is consumed
 * once. Rebuild requests run as their own job, one per request.
 */
@Injectable()
export class RollupJob implements OnModuleInit {
  private readonly logger = new Logger('AnalyticsRollups');

  constructor(
    private readonly jobs: JobsService,
    private readonly builder: RollupBuilder,
    private readonly rebuilds: RollupRebuilds,
  ) {}

  onModuleInit(): void {
    this.jobs.register(ROLLUP_JOB, () => this.run().then(() => undefined), {
      pollingIntervalSeconds: 15,
      cron: '* * * * *',
    });
    this.jobs.register<{ rebuildId: string }>(ROLLUP_REBUILD_JOB, (data) =>
      this.rebuilds.execute(data.rebuildId).then(() => undefined),
    );
  }

  async run(): Promise<DirtyRun> {
    const run = await this.builder.foldDirty();
    if (run.days.length > 0)
      this.logger.log(`Rollups: ${run.marks} dirty hours, ${run.days.length} days recomputed`);
    return run;
  }
}
