import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { assertIfMatch, Versioned } from '../../../platform/http/etag';
import { Page, paginate, PageQueryDto } from '../../../platform/http/pagination';
import { Actor } from '../../access/actor';
import { DataScope } from '../../access/data-scope';
import { parseFunnelSteps } from './funnel-steps';
import { CreateFunnelDto, FunnelDto, FunnelStepDto, UpdateFunnelDto } from './funnel.dto';
import { assertOrganizationWide } from './path-rules.service';

interface FunnelRow {
  id: string;
  name: string;
  description: string | null;
  steps: FunnelStepDto[];
  conversion_window_seconds: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const COLUMNS = `id, name, description, steps, conversion_window_seconds, created_at, updated_at, version`;

const toDto = (row: FunnelRow): FunnelDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  steps: row.steps,
  conversionWindowSeconds: row.conversion_window_seconds,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Only the fields a step has, in a fixed order (what is stored is what the DTO allows). */
const storedSteps = (steps: readonly FunnelStepDto[]): FunnelStepDto[] =>
  steps.map((s) => {
    const step: FunnelStepDto = {};
    if (s.type !== undefined) step.type = s.type;
    if (s.name !== undefined) step.name = s.name;
    if (s.path !== undefined) step.path = s.path;
    if (s.properties !== undefined) step.properties = s.properties;
    if (s.label !== undefined) step.label = s.label;
    return step;
  });

/**
 * Saved funnels: named definitions (steps, conversion window) shared by the organization. A definition
 * holds no data, so every `analytics:read` holder reads them; the numbers of its report are those of
 * the reader's scope. Changing one needs `analytics:manage` over the whole organization.
 */
@Injectable()
export class FunnelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  list(scope: DataScope, query: PageQueryDto): Promise<Page<FunnelDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(['f.id AS id', 'f.name AS name', 'f.description AS description', 'f.steps AS steps'])
      .addSelect(['f.conversion_window_seconds AS conversion_window_seconds', 'f.version AS version'])
      .addSelect(['f.created_at AS created_at', 'f.updated_at AS updated_at'])
      .from('analytics_funnels', 'f')
      .where('f.org_id = :orgId', { orgId: scope.orgId });
    return paginate(qb, {
      query,
      sort: { key: { column: 'f.created_at', kind: 'timestamp', milliseconds: true }, direction: 'DESC' },
      idColumn: 'f.id',
      fetch: (q) => q.getRawMany<FunnelRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: toDto,
    });
  }

  async get(scope: DataScope, funnelId: string): Promise<Versioned<FunnelDto>> {
    const rows: FunnelRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM analytics_funnels WHERE org_id = $1 AND id = $2`,
      [scope.orgId, funnelId],
    );
    if (!rows[0]) throw DomainError.notFound('Funnel');
    return new Versioned(toDto(rows[0]), rows[0].version);
  }

  async create(actor: Actor, scope: DataScope, dto: CreateFunnelDto): Promise<Versioned<FunnelDto>> {
    assertOrganizationWide(scope);
    parseFunnelSteps(dto.steps);
    const now = this.clock.now();
    const rows: FunnelRow[] = await this.dataSource
      .query(
        `INSERT INTO analytics_funnels (org_id, name, description, steps, conversion_window_seconds,
                                        created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ${COLUMNS}`,
        [
          scope.orgId,
          dto.name,
          dto.description ?? null,
          JSON.stringify(storedSteps(dto.steps)),
          dto.conversionWindowSeconds,
          actor.userId,
          now,
        ],
      )
      .catch(duplicateName);
    return new Versioned(toDto(rows[0]), rows[0].version);
  }

  async update(
    scope: DataScope,
    funnelId: string,
    dto: UpdateFunnelDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<FunnelDto>> {
    assertOrganizationWide(scope);
    if (dto.steps) parseFunnelSteps(dto.steps);
    return this.dataSource.transaction(async (manager) => {
      const rows: FunnelRow[] = await manager.query(
        `SELECT ${COLUMNS} FROM analytics_funnels WHERE org_id = $1 AND id = $2 FOR UPDATE`,
        [scope.orgId, funnelId],
      );
      const before = rows[0];
      if (!before) throw DomainError.notFound('Funnel');
      assertIfMatch(ifMatch, before.version);
      const [saved]: FunnelRow[] = await manager
        .query(
          `WITH saved AS (
             UPDATE analytics_funnels SET name = $3, description = $4, steps = $5, conversion_window_seconds = $6,
                    updated_at = $7, version = version + 1
              WHERE org_id = $1 AND id = $2 RETURNING ${COLUMNS})
           SELECT * FROM saved`,
          [
            scope.orgId,
            funnelId,
            dto.name ?? before.name,
            dto.description === undefined ? before.description : dto.description,
            JSON.stringify(dto.steps ? storedSteps(dto.steps) : before.steps),
            dto.conversionWindowSeconds ?? before.conversion_window_seconds,
            this.clock.now(),
          ],
        )
        .catch(duplicateName);
      return new Versioned(toDto(saved), saved.version);
    });
  }

  async remove(scope: DataScope, funnelId: string): Promise<void> {
    assertOrganizationWide(scope);
    // DELETE answers [rows, count] through TypeORM's query().
    const [, count]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM analytics_funnels WHERE org_id = $1 AND id = $2`,
      [scope.orgId, funnelId],
    );
    if (count === 0) throw DomainError.notFound('Funnel');
  }
}

function duplicateName(error: unknown): never {
  if ((error as { code?: string }).code === '23505') {
    throw new DomainError(ErrorCode.Duplicate, 'A funnel with that name exists', {
      errors: [{ field: 'name', message: 'already used by another funnel' }],
    });
  }
  throw error;
}
