import { Injectable } from '@nestjs/common';
import { mean } from 'simple-statistics';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { assertIfMatch, Versioned } from '../../../platform/http/etag';
import { NotificationsService } from '../../../platform/notifications/notifications.service';
import { Page, PageQueryDto, paginateSql } from '../../../platform/http/pagination';
import { localDay, rate } from '../../../platform/reports';
import { Actor } from '../../access/actor';
import { DataScope } from '../../access/data-scope';
import { OrganizationTimeZones } from '../../organizations/organization-time-zones';
import { AnalyticsFiltersDto, AnalyticsReportScope, EventSelection } from '../report-scope';
import { addDays, DailySeriesReader, daysBetween } from './daily-series';
import { compareWindows, progressFraction, reached, weeklyMeans, weeklyNoise } from './goal-math';
import {
  ApplyOptimizationDto,
  ComparisonDto,
  CreateGoalDto,
  GoalApplicationDto,
  GoalDto,
  GoalListQueryDto,
  GoalProgressDto,
  GoalState,
  GoalSummaryDto,
  MAX_BASELINE_DAYS,
  MIN_BASELINE_DAYS,
  PROGRESS_WINDOW_DAYS,
  UpdateGoalDto,
} from './goal.dto';
import { DailyMetric, METRIC_UNITS } from './metric-catalogue';
import { placeRow, scopeConditions } from './scoped-rows';

interface GoalRow {
  id: string;
  org_id: string;
  unit_id: string;
  owner_id: string | null;
  name: string;
  metric: DailyMetric;
  filters: AnalyticsFiltersDto;
  account_ids: string[];
  include_unattributed: boolean;
  baseline_from: string;
  baseline_to: string;
  baseline_mean: number;
  target_value: number;
  direction: 'increase' | 'decrease';
  deadline: Date;
  state: GoalState;
  final_value: number | null;
  evaluated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

interface ApplicationRow {
  id: string;
  applied_at: Date;
  note: string | null;
  recorded_by: string | null;
}

const COLUMNS = `g.id, g.org_id, g.unit_id, g.owner_id, g.name, g.metric, g.filters, g.account_ids::text[] AS account_ids,
  g.include_unattributed, to_char(g.baseline_from, 'YYYY-MM-DD') AS baseline_from,
  to_char(g.baseline_to, 'YYYY-MM-DD') AS baseline_to, g.baseline_mean, g.target_value, g.direction, g.deadline,
  g.state, g.final_value, g.evaluated_at, g.created_at, g.updated_at, g.version`;

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
const dayCount = (from: string, to: string) =>
  Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;

const toSummary = (row: GoalRow): GoalSummaryDto => ({
  id: row.id,
  name: row.name,
  metric: row.metric,
  unitId: row.unit_id,
  ownerId: row.owner_id,
  baselineMean: round4(row.baseline_mean),
  targetValue: row.target_value,
  direction: row.direction,
  deadline: row.deadline.toISOString(),
  state: row.state,
  finalValue: row.final_value === null ? null : round4(row.final_value),
  createdAt: row.created_at.toISOString(),
});

/**
 * Optimization goals: a daily metric over fixed filters, a baseline window, a target daily mean and a
 * deadline. The accounts a goal measures are fixed when it is made (those its creator could read), so
 * its numbers do not move with anyone's later grants, and a reader sees the goal only when its data
 * scope covers the goal's unit and every account it measures. Each optimization applied is compared
 * before/after automatically on read; the deadline job judges the goal once.
 */
@Injectable()
export class GoalsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly timeZones: OrganizationTimeZones,
    private readonly reportScope: AnalyticsReportScope,
    private readonly series: DailySeriesReader,
    private readonly notifications: NotificationsService,
  ) {}

  async list(scope: DataScope, query: PageQueryDto & GoalListQueryDto): Promise<Page<GoalSummaryDto>> {
    const params: unknown[] = [];
    const conditions = await this.visibility(scope, params);
    if (query.state) conditions.push(`g.state = $${params.push(query.state)}`);
    const page = await paginateSql<GoalSummaryDto, GoalRow>(
      { select: `SELECT ${COLUMNS} FROM analytics_goals g`, where: conditions, values: params },
      (text, values) => this.dataSource.query(text, values),
      {
        query,
        sort: { key: { column: 'g.created_at', kind: 'timestamp', milliseconds: true }, direction: 'DESC' },
        idColumn: 'g.id',
        sortValue: (row) => row.created_at,
        idValue: (row) => row.id,
        map: toSummary,
      },
    );
    scope.statementSucceeded();
    return page;
  }

  async get(scope: DataScope, goalId: string): Promise<Versioned<GoalDto>> {
    const row = await this.load(this.dataSource.manager, scope, goalId);
    return new Versioned(await this.describe(row), row.version);
  }

  async create(actor: Actor, scope: DataScope, dto: CreateGoalDto): Promise<Versioned<GoalDto>> {
    const filters = dto.filters ?? {};
    DailySeriesReader.assertApplicable(dto.metric, filters);
    const timeZone = await this.timeZones.of(scope.orgId);
    const now = this.clock.now();
    const today = localDay(now, timeZone);
    const days = dayCount(dto.baselineFrom, dto.baselineTo);
    if (days < MIN_BASELINE_DAYS || days > MAX_BASELINE_DAYS) {
      throw DomainError.validation(
        'baselineTo',
        `the baseline must cover ${MIN_BASELINE_DAYS} to ${MAX_BASELINE_DAYS} days from baselineFrom`,
      );
    }
    if (dto.baselineTo >= today) throw DomainError.validation('baselineTo', 'must be before today');
    if (Date.parse(dto.deadline) <= now.getTime())
      throw DomainError.validation('deadline', 'must be in the future');
    const selection = await this.reportScope.resolve(scope, filters);
    const baseline = await this.series.read(
      selection,
      dto.metric,
      dto.baselineFrom,
      dto.baselineTo,
      timeZone,
    );
    const baselineMean = mean(baseline.map((p) => p.value));
    const id = await this.dataSource.transaction(async (manager) => {
      const place = await placeRow(manager, actor, scope, dto);
      const [row]: { id: string }[] = await manager.query(
        `INSERT INTO analytics_goals (org_id, unit_id, owner_id, name, metric, filters, account_ids,
           include_unattributed, baseline_from, baseline_to, baseline_mean, target_value, direction, deadline,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
        [
          scope.orgId,
          place.unitId,
          place.ownerId,
          dto.name,
          dto.metric,
          JSON.stringify(filters),
          selection.accountIds,
          selection.includeUnattributed,
          dto.baselineFrom,
          dto.baselineTo,
          baselineMean,
          dto.targetValue,
          dto.targetValue >= baselineMean ? 'increase' : 'decrease',
          dto.deadline,
          now,
        ],
      );
      return row.id;
    });
    return this.get(scope, id);
  }

  async update(
    scope: DataScope,
    goalId: string,
    dto: UpdateGoalDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<GoalDto>> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.load(manager, scope, goalId, true);
      assertIfMatch(ifMatch, row.version);
      if ((dto.deadline !== undefined || dto.targetValue !== undefined) && row.state !== 'active') {
        throw new DomainError(
          ErrorCode.InvalidState,
          `The goal was judged ${row.state}; its target and deadline stay`,
        );
      }
      if (dto.deadline !== undefined && Date.parse(dto.deadline) <= this.clock.now().getTime()) {
        throw DomainError.validation('deadline', 'must be in the future');
      }
      if (dto.ownerId !== undefined) {
        const members: unknown[] = await manager.query(
          `SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
          [scope.orgId, dto.ownerId],
        );
        if (members.length === 0) {
          throw new DomainError(ErrorCode.ReferenceNotFound, 'A referenced row does not exist', {
            errors: [{ field: 'ownerId', message: 'not an active member of this organization' }],
          });
        }
      }
      await manager.query(
        `UPDATE analytics_goals SET name = $3, target_value = $4, deadline = $5, owner_id = $6, updated_at = $7,
                version = version + 1
          WHERE org_id = $1 AND id = $2`,
        [
          scope.orgId,
          goalId,
          dto.name ?? row.name,
          dto.targetValue ?? row.target_value,
          dto.deadline ?? row.deadline,
          dto.ownerId ?? row.owner_id,
          this.clock.now(),
        ],
      );
    });
    return this.get(scope, goalId);
  }

  async remove(scope: DataScope, goalId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.load(manager, scope, goalId, true);
      await manager.query(`DELETE FROM analytics_goals WHERE org_id = $1 AND id = $2`, [scope.orgId, goalId]);
    });
  }

  async apply(
    actor: Actor,
    scope: DataScope,
    goalId: string,
    dto: ApplyOptimizationDto,
  ): Promise<GoalApplicationDto> {
    const now = this.clock.now();
    const row = await this.load(this.dataSource.manager, scope, goalId);
    const appliedAt = new Date(dto.appliedAt);
    if (appliedAt.getTime() > now.getTime())
      throw DomainError.validation('appliedAt', 'must not be in the future');
    const timeZone = await this.timeZones.of(row.org_id);
    if (localDay(appliedAt, timeZone) < row.baseline_from) {
      throw DomainError.validation('appliedAt', 'must not be before the baseline starts');
    }
    const [application]: ApplicationRow[] = await this.dataSource.query(
      `INSERT INTO analytics_goal_applications (org_id, goal_id, applied_at, note, recorded_by, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, applied_at, note, recorded_by`,
      [row.org_id, row.id, appliedAt, dto.note ?? null, actor.userId, now],
    );
    const context = await this.context(row);
    return this.application(row, context, application);
  }

  /**
   * Judges every active goal whose deadline has passed, once: rows are claimed with FOR UPDATE SKIP
   * LOCKED and updated only while still active, so two workers (or a retried job) never judge a goal
   * twice. Answers how many goals were judged.
   */
  async judgeDue(batch = 50): Promise<number> {
    let judged = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (manager) => {
        const now = this.clock.now();
        const rows: GoalRow[] = await manager.query(
          `SELECT ${COLUMNS} FROM analytics_goals g WHERE g.state = 'active' AND g.deadline <= $1
            ORDER BY g.deadline LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
          [now],
        );
        for (const row of rows) {
          const progress = await this.progress(row, await this.timeZones.of(row.org_id));
          const state: GoalState = progress.reached ? 'achieved' : 'missed';
          await manager.query(
            `UPDATE analytics_goals SET state = $3, final_value = $4, evaluated_at = $5, updated_at = $5,
                    version = version + 1
              WHERE org_id = $1 AND id = $2 AND state = 'active'`,
            [row.org_id, row.id, state, progress.current, now],
          );
          // The owner hears of it in the same transaction (the outbox delivers once it commits).
          if (row.owner_id) {
            await this.notifications.notify(manager, {
              userIds: [row.owner_id],
              orgId: row.org_id,
              type: `analytics.goal.${state}`,
              title: `Goal ${state}: ${row.name}`,
              body:
                `${row.metric} averaged ${round4(progress.current)} a day over ${progress.from}–${progress.to} ` +
                `against a target of ${row.target_value} (baseline ${round4(row.baseline_mean)}).`,
              data: { goalId: row.id, state, finalValue: round4(progress.current) },
            });
          }
        }
        return rows.length;
      });
      judged += n;
      if (n < batch) return judged;
    }
  }

  /** Which goals a scope sees: its unit/owner predicate, and only goals measuring accounts it may read. */
  private async visibility(scope: DataScope, params: unknown[]): Promise<string[]> {
    const visible = await this.reportScope.resolve(scope, {});
    return [
      ...scopeConditions(scope, 'g', params),
      `g.account_ids <@ $${params.push(visible.accountIds)}::uuid[]`,
      `(NOT g.include_unattributed OR $${params.push(visible.includeUnattributed)}::boolean)`,
    ];
  }

  private async load(
    manager: EntityManager,
    scope: DataScope,
    goalId: string,
    lock = false,
  ): Promise<GoalRow> {
    const params: unknown[] = [goalId];
    const conditions = await this.visibility(scope, params);
    const rows: GoalRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM analytics_goals g WHERE g.id = $1 AND ${conditions.join(' AND ')}${lock ? ' FOR UPDATE' : ''}`,
      params,
    );
    scope.statementSucceeded();
    if (!rows[0]) throw DomainError.notFound('Goal');
    return rows[0];
  }

  private selection(row: GoalRow): EventSelection {
    return new EventSelection(row.org_id, row.account_ids, row.include_unattributed, row.filters);
  }

  private async context(row: GoalRow) {
    const timeZone = await this.timeZones.of(row.org_id);
    const baseline = await this.series.read(
      this.selection(row),
      row.metric,
      row.baseline_from,
      row.baseline_to,
      timeZone,
    );
    const values = baseline.map((p) => p.value);
    return { timeZone, baselineValues: values, noise: weeklyNoise(values) };
  }

  private async describe(row: GoalRow): Promise<GoalDto> {
    const context = await this.context(row);
    const applications: ApplicationRow[] = await this.dataSource.query(
      `SELECT id, applied_at, note, recorded_by FROM analytics_goal_applications
        WHERE org_id = $1 AND goal_id = $2 ORDER BY applied_at, id`,
      [row.org_id, row.id],
    );
    const days = context.baselineValues.length;
    return {
      id: row.id,
      name: row.name,
      metric: row.metric,
      unit: METRIC_UNITS[row.metric],
      filters: row.filters,
      unitId: row.unit_id,
      ownerId: row.owner_id,
      baseline: {
        from: row.baseline_from,
        to: row.baseline_to,
        days,
        mean: round4(mean(context.baselineValues)),
        weeks: weeklyMeans(context.baselineValues).length,
        weeklyNoise: context.noise === null ? null : round4(context.noise),
      },
      targetValue: row.target_value,
      direction: row.direction,
      deadline: row.deadline.toISOString(),
      state: row.state,
      finalValue: row.final_value === null ? null : round4(row.final_value),
      evaluatedAt: row.evaluated_at?.toISOString() ?? null,
      progress: await this.progress(row, context.timeZone),
      applications: await Promise.all(applications.map((a) => this.application(row, context, a))),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /**
   * Before/after of one application: windows of the baseline's length (fewer while the days after the
   * application are still coming in), the days before the applied day and the days from it on, only
   * whole days up to yesterday.
   */
  private async application(
    row: GoalRow,
    context: { timeZone: string; baselineValues: number[]; noise: number | null },
    application: ApplicationRow,
  ): Promise<GoalApplicationDto> {
    const appliedDay = localDay(application.applied_at, context.timeZone);
    const yesterday = addDays(localDay(this.clock.now(), context.timeZone), -1);
    const available = yesterday < appliedDay ? 0 : daysBetween(appliedDay, yesterday).length;
    const length = Math.min(context.baselineValues.length, available);
    let comparison: ComparisonDto;
    if (length === 0) {
      comparison = {
        status: 'pending',
        windowDays: 0,
        before: null,
        after: null,
        beforeMean: null,
        afterMean: null,
        change: null,
        changeRate: null,
        noiseThreshold: context.noise === null ? null : round4(2 * context.noise),
        significant: null,
      };
    } else {
      const before = { from: addDays(appliedDay, -length), to: addDays(appliedDay, -1), days: length };
      const after = { from: appliedDay, to: addDays(appliedDay, length - 1), days: length };
      const points = await this.series.read(
        this.selection(row),
        row.metric,
        before.from,
        after.to,
        context.timeZone,
      );
      const values = points.map((p) => p.value);
      const result = compareWindows(values.slice(0, length), values.slice(length), context.noise);
      comparison = {
        status: 'measured',
        windowDays: length,
        before,
        after,
        beforeMean: round4(result.beforeMean),
        afterMean: round4(result.afterMean),
        change: round4(result.change),
        changeRate: rate(result.change, result.beforeMean),
        noiseThreshold: result.noiseThreshold === null ? null : round4(result.noiseThreshold),
        significant: result.significant,
      };
    }
    return {
      id: application.id,
      appliedAt: application.applied_at.toISOString(),
      note: application.note,
      recordedBy: application.recorded_by,
      comparison,
    };
  }

  /** The mean of the 7 whole days before now (before the deadline once it passed), against the target. */
  private async progress(row: GoalRow, timeZone: string): Promise<GoalProgressDto> {
    const now = this.clock.now();
    const until = row.deadline.getTime() < now.getTime() ? row.deadline : now;
    const to = addDays(localDay(until, timeZone), -1);
    const from = addDays(to, -(PROGRESS_WINDOW_DAYS - 1));
    const points = await this.series.read(this.selection(row), row.metric, from, to, timeZone);
    const current = mean(points.map((p) => p.value));
    const fraction = progressFraction(current, row.baseline_mean, row.target_value);
    return {
      from,
      to,
      days: PROGRESS_WINDOW_DAYS,
      current: round4(current),
      fraction: fraction === null ? null : round4(fraction),
      reached: reached(current, row.target_value, row.direction),
    };
  }
}
