import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, PageQueryDto } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { CreateSegmentDto, SegmentDto, UpdateSegmentDto } from './segment.dto';
import { compileSegmentRule, parseSegmentRule } from './segment-rule';

interface SegmentRow {
  id: string;
  name: string;
  description: string | null;
  rule: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const toDto = (row: SegmentRow): SegmentDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  rule: row.rule,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/**
 * Segments: named rules over customer attributes and history, evaluated in SQL whenever their members
 * are listed (never stored lists, so a member leaves as soon as it stops matching). Definitions are
 * organization-wide, so changing them needs `customers:manage` over the whole organization.
 */
@Injectable()
export class SegmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(scope: DataScope, query: PageQueryDto): Promise<Page<SegmentDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(['s.id AS id', 's.name AS name', 's.description AS description', 's.rule AS rule'])
      .addSelect(['s.created_at AS created_at', 's.updated_at AS updated_at', 's.version AS version'])
      .from('customer_segments', 's')
      .where('s.org_id = :orgId', { orgId: scope.orgId });
    return paginate(qb, {
      query,
      sort: { key: { column: 's.created_at', kind: 'timestamp', milliseconds: true }, direction: 'DESC' },
      idColumn: 's.id',
      fetch: (q) => q.getRawMany<SegmentRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: toDto,
    });
  }

  async get(scope: DataScope, segmentId: string): Promise<Versioned<SegmentDto>> {
    const row = await this.load(scope.orgId, segmentId);
    if (!row) throw DomainError.notFound('Segment');
    return new Versioned(toDto(row), row.version);
  }

  async create(actor: Actor, scope: DataScope, dto: CreateSegmentDto): Promise<Versioned<SegmentDto>> {
    assertOrganizationWide(scope);
    const rule = parseSegmentRule(dto.rule);
    const now = this.clock.now();
    const rows: { id: string }[] = await this.dataSource
      .query(
        `INSERT INTO customer_segments (org_id, name, description, rule, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
        [scope.orgId, dto.name, dto.description ?? null, JSON.stringify(rule), actor.userId, now],
      )
      .catch(duplicateName);
    return this.get(scope, rows[0].id);
  }

  async update(
    scope: DataScope,
    segmentId: string,
    dto: UpdateSegmentDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<SegmentDto>> {
    assertOrganizationWide(scope);
    await this.dataSource.transaction(async (manager) => {
      const rows: SegmentRow[] = await manager.query(
        `SELECT * FROM customer_segments WHERE org_id = $1 AND id = $2 FOR UPDATE`,
        [scope.orgId, segmentId],
      );
      const before = rows[0];
      if (!before) throw DomainError.notFound('Segment');
      assertIfMatch(ifMatch, before.version);
      const rule = dto.rule ? parseSegmentRule(dto.rule) : before.rule;
      await manager
        .query(
          `UPDATE customer_segments SET name = $3, description = $4, rule = $5, updated_at = $6, version = version + 1
            WHERE org_id = $1 AND id = $2`,
          [
            scope.orgId,
            segmentId,
            dto.name ?? before.name,
            dto.description === undefined ? before.description : dto.description,
            JSON.stringify(rule),
            this.clock.now(),
          ],
        )
        .catch(duplicateName);
    });
    return this.get(scope, segmentId);
  }

  async remove(scope: DataScope, segmentId: string): Promise<void> {
    assertOrganizationWide(scope);
    // DELETE answers [rows, count] through TypeORM's query().
    const [, count]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM customer_segments WHERE org_id = $1 AND id = $2`,
      [scope.orgId, segmentId],
    );
    if (count === 0) throw DomainError.notFound('Segment');
  }

  /**
   * The segment's rule as a predicate over customers aliased `alias`. `field` names the request part
   * that referred to it: an unknown segment there is 422; without it (the segment is the path) 404.
   */
  async predicate(
    orgId: string,
    segmentId: string,
    alias: string,
    field?: string,
  ): Promise<{ sql: string; params: Record<string, unknown> }> {
    const row = await this.load(orgId, segmentId);
    if (!row) {
      if (!field) throw DomainError.notFound('Segment');
      throw new DomainError(ErrorCode.ReferenceNotFound, 'No such segment in this organization', {
        errors: [{ field, message: 'segment not found' }],
      });
    }
    return compileSegmentRule(parseSegmentRule(row.rule), { alias, now: this.clock.now() });
  }

  private async load(orgId: string, segmentId: string): Promise<SegmentRow | null> {
    const rows: SegmentRow[] = await this.dataSource.query(
      `SELECT id, name, description, rule, created_at, updated_at, version FROM customer_segments
        WHERE org_id = $1 AND id = $2`,
      [orgId, segmentId],
    );
    return rows[0] ?? null;
  }
}

/** Organization-wide settings (segments, care plans) need the permission over the whole organization. */
export function assertOrganizationWide(scope: DataScope): void {
  if (!scope.coversOrganization) {
    throw new DomainError(
      ErrorCode.PermissionDenied,
      `This is an organization-wide setting: it needs ${scope.permission} with organization scope`,
    );
  }
}

function duplicateName(error: unknown): never {
  if ((error as { code?: string }).code === '23505') {
    throw new DomainError(ErrorCode.Duplicate, 'A segment with that name exists', {
      errors: [{ field: 'name', message: 'already used by another segment' }],
    });
  }
  throw error;
}
