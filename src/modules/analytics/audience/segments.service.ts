import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { assertIfMatch, Versioned } from '../../../platform/http/etag';
import { Page, PageQueryDto, paginateSql } from '../../../platform/http/pagination';
import { rate } from '../../../platform/reports';
import { Actor } from '../../access/actor';
import { DataScope } from '../../access/data-scope';
import { placeRow, scopeConditions } from '../insights/scoped-rows';
import { AnalyticsFiltersDto, AnalyticsReportScope } from '../report-scope';
import {
  AnalyticsSegmentDto,
  AnalyticsSegmentSizeDto,
  CreateAnalyticsSegmentDto,
  DEFAULT_LOOKBACK_DAYS,
  UpdateAnalyticsSegmentDto,
} from './segment.dto';
import { compileSegmentRule, longestWithinDays, parseSegmentRule } from './segment-rule';

interface SegmentRow {
  id: string;
  org_id: string;
  unit_id: string;
  owner_id: string | null;
  name: string;
  description: string | null;
  lookback_days: number;
  rule: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const COLUMNS =
  's.id, s.org_id, s.unit_id, s.owner_id, s.name, s.description, s.lookback_days, s.rule, s.created_at, s.updated_at, s.version';
const DAY = 86_400_000;

const toDto = (row: SegmentRow): AnalyticsSegmentDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  lookbackDays: row.lookback_days,
  rule: row.rule,
  unitId: row.unit_id,
  ownerId: row.owner_id,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

function duplicateName(error: unknown): never {
  if ((error as { code?: string }).code === '23505') {
    throw new DomainError(ErrorCode.Duplicate, 'A segment with that name exists', {
      errors: [{ field: 'name', message: 'already used by another analytics segment' }],
    });
  }
  throw error;
}

/**
 * Analytics segments: saved rules over the people seen in events (not the customers module's CRM
 * segments). A segment is a row of a unit with an owner, seen through the data scope; its size is
 * evaluated on request over the events the caller's scope may count, never stored.
 */
@Injectable()
export class AnalyticsSegmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly reportScope: AnalyticsReportScope,
  ) {}

  async list(scope: DataScope, query: PageQueryDto): Promise<Page<AnalyticsSegmentDto>> {
    const params: unknown[] = [];
    const page = await paginateSql<AnalyticsSegmentDto, SegmentRow>(
      {
        select: `SELECT ${COLUMNS} FROM analytics_segments s`,
        where: scopeConditions(scope, 's', params),
        values: params,
      },
      (text, values) => this.dataSource.query(text, values),
      {
        query,
        sort: { key: { column: 's.created_at', kind: 'timestamp', milliseconds: true }, direction: 'DESC' },
        idColumn: 's.id',
        sortValue: (row) => row.created_at,
        idValue: (row) => row.id,
        map: toDto,
      },
    );
    scope.statementSucceeded();
    return page;
  }

  async get(scope: DataScope, segmentId: string): Promise<Versioned<AnalyticsSegmentDto>> {
    const row = await this.load(scope, segmentId);
    return new Versioned(toDto(row), row.version);
  }

  async create(
    actor: Actor,
    scope: DataScope,
    dto: CreateAnalyticsSegmentDto,
  ): Promise<Versioned<AnalyticsSegmentDto>> {
    const rule = parseSegmentRule(dto.rule);
    const now = this.clock.now();
    const id = await this.dataSource.transaction(async (manager) => {
      const place = await placeRow(manager, actor, scope, { unitId: dto.unitId });
      const rows: { id: string }[] = await manager
        .query(
          `INSERT INTO analytics_segments (org_id, unit_id, owner_id, name, description, lookback_days, rule, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
          [
            scope.orgId,
            place.unitId,
            place.ownerId,
            dto.name,
            dto.description ?? null,
            dto.lookbackDays ?? DEFAULT_LOOKBACK_DAYS,
            JSON.stringify(rule),
            now,
          ],
        )
        .catch(duplicateName);
      return rows[0].id;
    });
    return this.get(scope, id);
  }

  async update(
    scope: DataScope,
    segmentId: string,
    dto: UpdateAnalyticsSegmentDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<AnalyticsSegmentDto>> {
    await this.dataSource.transaction(async (manager) => {
      const before = await this.load(scope, segmentId, manager, true);
      assertIfMatch(ifMatch, before.version);
      const rule = dto.rule ? parseSegmentRule(dto.rule) : before.rule;
      await manager
        .query(
          `UPDATE analytics_segments SET name = $3, description = $4, lookback_days = $5, rule = $6, updated_at = $7,
                  version = version + 1
            WHERE org_id = $1 AND id = $2`,
          [
            scope.orgId,
            segmentId,
            dto.name ?? before.name,
            dto.description === undefined ? before.description : dto.description,
            dto.lookbackDays ?? before.lookback_days,
            JSON.stringify(rule),
            this.clock.now(),
          ],
        )
        .catch(duplicateName);
    });
    return this.get(scope, segmentId);
  }

  async remove(scope: DataScope, segmentId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.load(scope, segmentId, manager, true);
      await manager.query(`DELETE FROM analytics_segments WHERE org_id = $1 AND id = $2`, [
        scope.orgId,
        segmentId,
      ]);
    });
  }

  /**
   * People matching the rule now: one scan of the events the caller may count since the earliest
   * window the rule needs, grouped by person, the rule as a HAVING predicate.
   */
  async size(
    scope: DataScope,
    segmentId: string,
    filters: AnalyticsFiltersDto,
  ): Promise<AnalyticsSegmentSizeDto> {
    const row = await this.load(scope, segmentId);
    const rule = parseSegmentRule(row.rule);
    const selection = await this.reportScope.resolve(scope, filters);
    const now = this.clock.now();
    const lookbackStart = new Date(now.getTime() - row.lookback_days * DAY);
    const scanStart = new Date(now.getTime() - Math.max(row.lookback_days, longestWithinDays(rule)) * DAY);
    const params: unknown[] = [];
    const where = selection.where('e', params);
    const start = `$${params.push(scanStart)}`;
    const end = `$${params.push(now)}`;
    const active = `bool_or(e.occurred_at >= $${params.push(lookbackStart)}::timestamptz)`;
    const predicate = compileSegmentRule(rule, { now, lookbackStart, params });
    const [counts]: { size: number; active: number }[] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE matches)::int AS size, count(*)::int AS active FROM (
         SELECT ${predicate} AS matches
           FROM analytics_events e
          WHERE ${where} AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
          GROUP BY coalesce(e.user_id, e.anonymous_id)
         HAVING ${active}
       ) people`,
      params,
    );
    return {
      segmentId: row.id,
      size: counts.size,
      activePeople: counts.active,
      share: rate(counts.size, counts.active),
      computedAt: now.toISOString(),
      lookbackStart: lookbackStart.toISOString(),
    };
  }

  private async load(
    scope: DataScope,
    segmentId: string,
    manager = this.dataSource.manager,
    lock = false,
  ): Promise<SegmentRow> {
    const params: unknown[] = [segmentId];
    const conditions = scopeConditions(scope, 's', params);
    const rows: SegmentRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM analytics_segments s WHERE s.id = $1 AND ${conditions.join(' AND ')}${lock ? ' FOR UPDATE' : ''}`,
      params,
    );
    scope.statementSucceeded();
    if (!rows[0]) throw DomainError.notFound('Segment');
    return rows[0];
  }
}
