import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { JobsService } from '../../platform/jobs/jobs.service';
import { EventPartitions } from './event-partitions';
import { EventStore } from './event-store';
import { DEFAULT_RETENTION_DAYS } from './event.types';

export const EVENT_PARTITIONS_JOB = 'analytics.event-partitions';

/** Partitions kept ready beyond the current month. */
export const MONTHS_AHEAD = 3;

const DAY = 86_400_000;

export interface PartitionRun {
  created: string[];
  dropped: string[];
  /** Events deleted inside kept partitions, for organizations with a shorter retention. */
  deleted: number;
}

/**
 * Keeps the event store's months in shape, hourly: creates the current and next three months'
 * partitions, deletes each organization's events past its own retention window, and drops whole
 * partitions once they are past the longest window any organization has (partitions are shared).
 * pg-boss runs one scheduled job per tick across all replicas; every step is idempotent besides.
 */
@Injectable()
export class EventRetentionJob implements OnModuleInit {
  private readonly logger = new Logger('AnalyticsRetention');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobsService,
    private readonly partitions: EventPartitions,
    private readonly store: EventStore,
  ) {}

  onModuleInit(): void {
    this.jobs.register(EVENT_PARTITIONS_JOB, () => this.run().then(() => undefined), {
      pollingIntervalSeconds: 60,
      cron: '7 * * * *',
    });
  }

  async run(): Promise<PartitionRun> {
    const now = this.clock.now();
    const created = await this.partitions.createAhead(now, MONTHS_AHEAD);

    const windows: { orgId: string; days: number }[] = await this.dataSource.query(
      `SELECT o.id AS "orgId", coalesce(s.retention_days, $1)::int AS days
         FROM organizations o LEFT JOIN analytics_settings s ON s.org_id = o.id`,
      [DEFAULT_RETENTION_DAYS],
    );
    const longest = Math.max(DEFAULT_RETENTION_DAYS, ...windows.map((w) => w.days));

    let deleted = 0;
    const oldestKept = await this.partitions.list().then((months) => months[0]);
    for (const { orgId, days } of windows) {
      if (days >= longest || !oldestKept) continue;
      const cutoff = new Date(now.getTime() - days * DAY);
      // Nothing to do while the org's window reaches back before the oldest partition still kept.
      if (cutoff.getTime() <= oldestKept.getTime()) continue;
      deleted += await this.store.deleteOlderThan(orgId, cutoff);
    }

    // A partition goes once its whole month is older than the longest window.
    const dropped = await this.partitions.dropEndingBy(new Date(now.getTime() - longest * DAY));
    if (created.length + dropped.length + deleted > 0) {
      this.logger.log(
        `Partitions created ${created.length}, dropped ${dropped.length}; events deleted ${deleted}`,
      );
    }
    return { created, dropped, deleted };
  }
}
