import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { queryRows } from '../../../platform/database/query-rows';
import { JobsService } from '../../../platform/jobs/jobs.service';
import { DataScope } from '../../access/data-scope';
import { RollupBuilder } from './rollup-builder';
import { ROLLUP_REBUILD_JOB } from './rollup-job-names';
import { MAX_REBUILD_DAYS, RebuildRollupsDto, RollupRebuildDto, RollupRebuildStatus } from './rollups.dto';

interface RebuildRow {
  id: string;
  org_id: string;
  from_day: string;
  to_day: string;
  status: RollupRebuildStatus;
  days_total: number;
  days_done: number;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const SELECT = `SELECT id, org_id, to_char(from_day, 'YYYY-MM-DD') AS from_day, to_char(to_day, 'YYYY-MM-DD') AS to_day,
                       status, days_total, days_done, error, created_at, finished_at
                  FROM analytics_rollup_rebuilds`;

const toDto = (row: RebuildRow): RollupRebuildDto => ({
  id: row.id,
  from: row.from_day,
  to: row.to_day,
  status: row.status,
  daysTotal: row.days_total,
  daysDone: row.days_done,
  error: row.error,
  createdAt: row.created_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
});

/**
 * Rebuild requests: a range of local days to recompute from the raw events (after a bug fix, a change
 * of the organization's time zone, or a bulk load that bypassed ingestion). A request is a row with its
 * progress, run by the `analytics.rollup-rebuild` job (one replica picks it up); the CLI runs one in
 * its own process.
 */
@Injectable()
export class RollupRebuilds {
  private readonly logger = new Logger('AnalyticsRollups');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobsService,
    private readonly builder: RollupBuilder,
  ) {}

  /** Records a rebuild of `from`…`to` and queues it. Needs the permission over the whole organization. */
  async request(scope: DataScope, dto: RebuildRollupsDto): Promise<RollupRebuildDto> {
    if (!scope.coversOrganization) {
      throw new DomainError(
        ErrorCode.PermissionDenied,
        `Rebuilding rollups needs ${scope.permission} over the whole organization`,
        { extensions: { permission: scope.permission } },
      );
    }
    const row = await this.create(scope.orgId, dto, scope.userId);
    await this.jobs.send(ROLLUP_REBUILD_JOB, { rebuildId: row.id });
    return toDto(row);
  }

  async create(orgId: string, dto: RebuildRollupsDto, requestedBy: string | null): Promise<RebuildRow> {
    const days = rebuildDays(dto);
    const [row]: RebuildRow[] = await this.dataSource.query(
      `WITH created AS (
         INSERT INTO analytics_rollup_rebuilds (org_id, from_day, to_day, status, days_total, requested_by, created_at)
         VALUES ($1, $2, $3, 'queued', $4, $5, $6) RETURNING *)
       ${SELECT.replace('analytics_rollup_rebuilds', 'created')}`,
      [orgId, dto.from, dto.to, days, requestedBy, this.clock.now()],
    );
    return row;
  }

  async get(scope: DataScope, id: string): Promise<RollupRebuildDto> {
    const rows: RebuildRow[] = await this.dataSource.query(`${SELECT} WHERE org_id = $1 AND id = $2`, [
      scope.orgId,
      id,
    ]);
    if (rows.length === 0) throw DomainError.notFound('Rollup rebuild');
    return toDto(rows[0]);
  }

  /**
   * Runs a queued rebuild, recording its progress per day. Claiming it (`queued` → `running`) is one
   * conditional update, so a job delivered twice runs it once.
   */
  async execute(
    id: string,
    progress: (done: number, total: number) => void = () => undefined,
  ): Promise<RollupRebuildDto | null> {
    const claimed = await queryRows<RebuildRow>(
      this.dataSource,
      `UPDATE analytics_rollup_rebuilds SET status = 'running' WHERE id = $1 AND status = 'queued'
       RETURNING id, org_id, to_char(from_day, 'YYYY-MM-DD') AS from_day, to_char(to_day, 'YYYY-MM-DD') AS to_day`,
      [id],
    );
    const rebuild = claimed[0];
    if (!rebuild) return null;
    try {
      await this.builder.rebuildRange(
        rebuild.org_id,
        rebuild.from_day,
        rebuild.to_day,
        async (done, total) => {
          progress(done, total);
          await this.dataSource.query(`UPDATE analytics_rollup_rebuilds SET days_done = $2 WHERE id = $1`, [
            id,
            done,
          ]);
        },
      );
      await this.finish(id, 'done', null);
    } catch (error) {
      this.logger.error({ err: error }, `Rollup rebuild ${id} failed`);
      await this.finish(id, 'failed', (error as Error).message.slice(0, 500));
    }
    const [row]: RebuildRow[] = await this.dataSource.query(`${SELECT} WHERE id = $1`, [id]);
    return toDto(row);
  }

  private async finish(id: string, status: RollupRebuildStatus, error: string | null) {
    await this.dataSource.query(
      `UPDATE analytics_rollup_rebuilds SET status = $2, error = $3, finished_at = $4 WHERE id = $1`,
      [id, status, error, this.clock.now()],
    );
  }
}

/** Days of a rebuild range, or 400 naming `to`. */
export function rebuildDays(dto: RebuildRollupsDto): number {
  const from = DateTime.fromISO(dto.from, { zone: 'UTC' });
  const to = DateTime.fromISO(dto.to, { zone: 'UTC' });
  if (to < from) throw DomainError.validation('to', 'must not be before from');
  const days = Math.round(to.diff(from, 'days').days) + 1;
  if (days > MAX_REBUILD_DAYS) {
    throw DomainError.validation('to', `a rebuild covers at most ${MAX_REBUILD_DAYS} days`);
  }
  return days;
}
