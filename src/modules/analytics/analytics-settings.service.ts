import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { AnalyticsSettingsDto, ReplaceAnalyticsSettingsDto } from './analytics-settings.dto';
import { DEFAULT_RETENTION_DAYS } from './event.types';

/**
 * The organization's analytics settings (the retention window). Without a row the defaults apply at
 * version 0, so the first write can already send `If-Match: W/"0"`.
 */
@Injectable()
export class AnalyticsSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async get(scope: DataScope): Promise<Versioned<AnalyticsSettingsDto>> {
    const rows: { days: number; version: number }[] = await this.dataSource.query(
      `SELECT retention_days AS days, version FROM analytics_settings WHERE org_id = $1`,
      [scope.orgId],
    );
    const row = rows[0];
    return new Versioned(
      { retentionDays: row?.days ?? DEFAULT_RETENTION_DAYS, isDefault: row === undefined },
      row?.version ?? 0,
    );
  }

  /**
   * Replaces the settings; needs `analytics:manage` over the whole organization, since the window
   * applies to every unit's events. A shorter window takes effect on the next ingestion at once and
   * the partition job deletes what it no longer covers within the hour.
   */
  async replace(
    actor: Actor,
    scope: DataScope,
    dto: ReplaceAnalyticsSettingsDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<AnalyticsSettingsDto>> {
    if (!scope.coversOrganization) {
      throw new DomainError(
        ErrorCode.PermissionDenied,
        `Changing analytics settings needs ${scope.permission} over the whole organization`,
        { extensions: { permission: scope.permission } },
      );
    }
    return this.dataSource.transaction(async (manager) => {
      // Creates the row at version 0 if missing and locks it, so concurrent writers take turns on If-Match.
      await manager.query(
        `INSERT INTO analytics_settings (org_id, version) VALUES ($1, 0)
         ON CONFLICT (org_id) DO UPDATE SET version = analytics_settings.version`,
        [scope.orgId],
      );
      const [current]: { version: number }[] = await manager.query(
        `SELECT version FROM analytics_settings WHERE org_id = $1 FOR UPDATE`,
        [scope.orgId],
      );
      assertIfMatch(ifMatch, current.version);
      const [saved]: { days: number; version: number }[] = await manager.query(
        // Wrapped in a CTE: a bare UPDATE … RETURNING comes back from TypeORM as [rows, count].
        `WITH saved AS (
           UPDATE analytics_settings SET retention_days = $2, updated_by = $3, updated_at = $4, version = version + 1
            WHERE org_id = $1 RETURNING retention_days, version)
         SELECT retention_days AS days, version FROM saved`,
        [scope.orgId, dto.retentionDays, actor.userId, this.clock.now()],
      );
      return new Versioned({ retentionDays: saved.days, isDefault: false }, saved.version);
    });
  }
}
