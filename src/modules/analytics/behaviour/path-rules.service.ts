import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError, ErrorCode, FieldError } from '../../../platform/errors';
import { assertIfMatch, Versioned } from '../../../platform/http/etag';
import { Actor } from '../../access/actor';
import { DataScope } from '../../access/data-scope';
import { BehaviourQueries, PathRule } from './behaviour-queries';
import { PathRulesDto, ReplacePathRulesDto } from './paths.dto';

/**
 * The organization's path cleaning rules: an ordered list of (PostgreSQL regular expression → alias)
 * applied to page paths before paths are counted, so `/orders/8812` and `/orders/9907` are one step.
 * One row per organization; none means no rules, at version 0.
 */
@Injectable()
export class PathRulesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: BehaviourQueries,
    private readonly clock: Clock,
  ) {}

  async rules(orgId: string): Promise<PathRule[]> {
    const rows: { rules: PathRule[] }[] = await this.dataSource.query(
      `SELECT rules FROM analytics_path_rules WHERE org_id = $1`,
      [orgId],
    );
    return rows[0]?.rules ?? [];
  }

  async get(scope: DataScope): Promise<Versioned<PathRulesDto>> {
    const rows: { rules: PathRule[]; version: number }[] = await this.dataSource.query(
      `SELECT rules, version FROM analytics_path_rules WHERE org_id = $1`,
      [scope.orgId],
    );
    return new Versioned({ rules: rows[0]?.rules ?? [] }, rows[0]?.version ?? 0);
  }

  /**
   * Replaces the list whole (order is meaning). Every pattern must compile in PostgreSQL, whose regex
   * syntax the report uses; a pattern that does not is 400 naming it. The rules change every reader's
   * paths, so writing needs `analytics:manage` over the whole organization.
   */
  async replace(
    actor: Actor,
    scope: DataScope,
    dto: ReplacePathRulesDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<PathRulesDto>> {
    assertOrganizationWide(scope);
    const errors: FieldError[] = [];
    for (const [index, rule] of dto.rules.entries()) {
      const problem = await this.queries.isValidPattern(rule.pattern);
      if (problem)
        errors.push({
          field: `rules.${index}.pattern`,
          message: `not a valid regular expression: ${problem}`,
        });
    }
    if (errors.length > 0)
      throw new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', { errors });
    const rules: PathRule[] = dto.rules.map((r) => ({ pattern: r.pattern, alias: r.alias }));
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO analytics_path_rules (org_id, version) VALUES ($1, 0)
         ON CONFLICT (org_id) DO UPDATE SET version = analytics_path_rules.version`,
        [scope.orgId],
      );
      const [current]: { version: number }[] = await manager.query(
        `SELECT version FROM analytics_path_rules WHERE org_id = $1 FOR UPDATE`,
        [scope.orgId],
      );
      assertIfMatch(ifMatch, current.version);
      const [saved]: { rules: PathRule[]; version: number }[] = await manager.query(
        `WITH saved AS (
           UPDATE analytics_path_rules SET rules = $2, updated_by = $3, updated_at = $4, version = version + 1
            WHERE org_id = $1 RETURNING rules, version)
         SELECT rules, version FROM saved`,
        [scope.orgId, JSON.stringify(rules), actor.userId, this.clock.now()],
      );
      return new Versioned({ rules: saved.rules }, saved.version);
    });
  }
}

/** Definitions every reader of the organization shares need the permission over the whole organization. */
export function assertOrganizationWide(scope: DataScope): void {
  if (!scope.coversOrganization) {
    throw new DomainError(
      ErrorCode.PermissionDenied,
      `This is an organization-wide definition: it needs ${scope.permission} with organization scope`,
      { extensions: { permission: scope.permission } },
    );
  }
}
