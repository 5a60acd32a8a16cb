import { DayRangeQueryDto } from '../../platform/reports';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { chinaDate } from '../../common/validation';
import { DomainError, ErrorCode } from '../../platform/errors';
import { DataScope } from '../access/data-scope';
import { SocialAccountAccess } from '../social-accounts/account-access.service';
import {
  AccountDataImportResultDto,
  AudiencePortraitDto,
  AudiencePortraitInputDto,
  DailyMetricsDto,
  DailyMetricsInputDto,
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
  PORTRAIT_DIMENSIONS,
  ShareDto,
} from './account-data.dto';

interface MetricsRow {
  day: string;
  followers: string;
  plays: string;
  avg_play_time_ms: number;
  completion_rate_bp: number;
  likes: string;
  comments: string;
  shares: string;
  imported_by_org_id: string;
  imported_at: Date;
}

interface PortraitRow {
  day: string;
  age_bands: ShareDto[];
  genders: ShareDto[];
  regions: ShareDto[];
  devices: ShareDto[];
  interests: ShareDto[];
  imported_by_org_id: string;
  imported_at: Date;
}

const toMetrics = (row: MetricsRow): DailyMetricsDto => ({
  day: row.day,
  followers: Number(row.followers),
  plays: Number(row.plays),
  avgPlayTimeMs: row.avg_play_time_ms,
  completionRateBp: row.completion_rate_bp,
  likes: Number(row.likes),
  comments: Number(row.comments),
  shares: Number(row.shares),
  importedByOrgId: row.imported_by_org_id,
  importedAt: row.imported_at.toISOString(),
});

const toPortrait = (row: PortraitRow): AudiencePortraitDto => ({
  day: row.day,
  ageBands: row.age_bands,
  genders: row.genders,
  regions: row.regions,
  devices: row.devices,
  interests: row.interests,
  importedByOrgId: row.imported_by_org_id,
  importedAt: row.imported_at.toISOString(),
});

/** `xmax = 0` on the row an upsert returns: it was inserted, not updated. */
const COUNT_UPSERTS = `SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS replaced FROM upserted`;

/**
 * A social account's platform data, per day: daily metrics and audience portraits. Stored under the
 * brand that owns the account, reached through the account access rule (an agency needs an active
 * `analytics` authorization); a day imported again is replaced whole.
 */
@Injectable()
export class AccountDataService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly accounts: SocialAccountAccess,
  ) {}

  importMetrics(
    scope: DataScope,
    accountId: string,
    days: DailyMetricsInputDto[],
  ): Promise<AccountDataImportResultDto> {
    return this.dataSource.transaction(async (manager) => {
      // Access first: an account outside the caller's reach answers 404 whatever the body says.
      const brandOrgId = await this.brandOf(scope, accountId, manager);
      this.refuseFutureDays(days);
      const [result] = await manager.query(
        `WITH input AS (
           SELECT * FROM unnest($4::date[], $5::bigint[], $6::bigint[], $7::int[], $8::int[], $9::bigint[], $10::bigint[], $11::bigint[])
             AS i(day, followers, plays, avg_play_time_ms, completion_rate_bp, likes, comments, shares)
         ), upserted AS (
           INSERT INTO social_account_daily_metrics AS m
             (org_id, account_id, day, followers, plays, avg_play_time_ms, completion_rate_bp, likes, comments, shares,
              imported_by_org_id, imported_at)
           SELECT $1, $2, day, followers, plays, avg_play_time_ms, completion_rate_bp, likes, comments, shares, $3, $12
             FROM input
           ON CONFLICT (org_id, account_id, day) DO UPDATE SET
             followers = excluded.followers, plays = excluded.plays, avg_play_time_ms = excluded.avg_play_time_ms,
             completion_rate_bp = excluded.completion_rate_bp, likes = excluded.likes, comments = excluded.comments,
             shares = excluded.shares, imported_by_org_id = excluded.imported_by_org_id, imported_at = excluded.imported_at
           RETURNING (xmax = 0) AS inserted
         ) ${COUNT_UPSERTS}`,
        [
          brandOrgId,
          accountId,
          scope.orgId,
          days.map((d) => d.day),
          days.map((d) => d.followers),
          days.map((d) => d.plays),
          days.map((d) => d.avgPlayTimeMs),
          days.map((d) => d.completionRateBp),
          days.map((d) => d.likes),
          days.map((d) => d.comments),
          days.map((d) => d.shares),
          this.clock.now(),
        ],
      );
      return result as AccountDataImportResultDto;
    });
  }

  async listMetrics(
    scope: DataScope,
    accountId: string,
    range: DayRangeQueryDto,
  ): Promise<DailyMetricsDto[]> {
    const brandOrgId = await this.brandOf(scope, accountId);
    const { from, to } = this.resolveRange(range);
    const rows: MetricsRow[] = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, followers, plays, avg_play_time_ms, completion_rate_bp, likes,
              comments, shares, imported_by_org_id, imported_at
         FROM social_account_daily_metrics
        WHERE org_id = $1 AND account_id = $2 AND day BETWEEN $3 AND $4
        ORDER BY day`,
      [brandOrgId, accountId, from, to],
    );
    return rows.map(toMetrics);
  }

  /**
   * Per day of `from`…`to`, the accounts' imported video metrics summed for reports: plays, and plays
   * times the average play time and times the completion rate, so means over many accounts and days are
   * weighted by plays. The caller has already decided the accounts are in reach (AnalyticsReportScope);
   * rows are found by account, whichever brand organization keeps them.
   */
  async videoTotals(
    accountIds: readonly string[],
    from: string,
    to: string,
  ): Promise<{ day: string; plays: number; playTimeMs: number; completionBp: number }[]> {
    if (accountIds.length === 0) return [];
    const rows: { day: string; plays: string; play_time: string; completion: string }[] =
      await this.dataSource.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(plays) AS plays,
                sum(plays * avg_play_time_ms) AS play_time, sum(plays * completion_rate_bp) AS completion
           FROM social_account_daily_metrics
          WHERE account_id = ANY($1::uuid[]) AND day BETWEEN $2 AND $3
          GROUP BY day ORDER BY day`,
        [accountIds, from, to],
      );
    return rows.map((row) => ({
      day: row.day,
      plays: Number(row.plays),
      playTimeMs: Number(row.play_time),
      completionBp: Number(row.completion),
    }));
  }

  importPortraits(
    scope: DataScope,
    accountId: string,
    days: AudiencePortraitInputDto[],
  ): Promise<AccountDataImportResultDto> {
    return this.dataSource.transaction(async (manager) => {
      // Access first: an account outside the caller's reach answers 404 whatever the body says.
      const brandOrgId = await this.brandOf(scope, accountId, manager);
      this.refuseFutureDays(days);
      const column = (dimension: (typeof PORTRAIT_DIMENSIONS)[number]) =>
        days.map((d) => JSON.stringify((d[dimension] ?? []).map(({ key, shareBp }) => ({ key, shareBp }))));
      const [result] = await manager.query(
        `WITH input AS (
           SELECT * FROM unnest($4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
             AS i(day, age_bands, genders, regions, devices, interests)
         ), upserted AS (
           INSERT INTO social_account_audience_portraits AS p
             (org_id, account_id, day, age_bands, genders, regions, devices, interests, imported_by_org_id, imported_at)
           SELECT $1, $2, day, age_bands::jsonb, genders::jsonb, regions::jsonb, devices::jsonb, interests::jsonb, $3, $10
             FROM input
           ON CONFLICT (org_id, account_id, day) DO UPDATE SET
             age_bands = excluded.age_bands, genders = excluded.genders, regions = excluded.regions,
             devices = excluded.devices, interests = excluded.interests,
             imported_by_org_id = excluded.imported_by_org_id, imported_at = excluded.imported_at
           RETURNING (xmax = 0) AS inserted
         ) ${COUNT_UPSERTS}`,
        [
          brandOrgId,
          accountId,
          scope.orgId,
          days.map((d) => d.day),
          ...PORTRAIT_DIMENSIONS.map(column),
          this.clock.now(),
        ],
      );
      return result as AccountDataImportResultDto;
    });
  }

  async listPortraits(
    scope: DataScope,
    accountId: string,
    range: DayRangeQueryDto,
  ): Promise<AudiencePortraitDto[]> {
    const brandOrgId = await this.brandOf(scope, accountId);
    const { from, to } = this.resolveRange(range);
    const rows: PortraitRow[] = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, age_bands, genders, regions, devices, interests,
              imported_by_org_id, imported_at
         FROM social_account_audience_portraits
        WHERE org_id = $1 AND account_id = $2 AND day BETWEEN $3 AND $4
        ORDER BY day`,
      [brandOrgId, accountId, from, to],
    );
    return rows.map(toPortrait);
  }

  /** The days asked for; by default the 30 days up to today (Asia/Shanghai). */
  private resolveRange(range: DayRangeQueryDto): { from: string; to: string } {
    const to = range.to ?? chinaDate(this.clock.now());
    const from =
      range.from ??
      new Date(Date.parse(to) - (DEFAULT_RANGE_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0) throw DomainError.validation('to', 'must not be before from');
    if (days >= MAX_RANGE_DAYS)
      throw DomainError.validation('to', `must be within ${MAX_RANGE_DAYS} days of from`);
    return { from, to };
  }

  /** A platform reports a day once it is over or under way, never ahead (days are Asia/Shanghai). */
  private refuseFutureDays(days: readonly { day: string }[]) {
    const today = chinaDate(this.clock.now());
    const errors = days
      .map((d, i) => ({ day: d.day, i }))
      .filter(({ day }) => day > today)
      .map(({ i }) => ({ field: `days.${i}.day`, message: 'must not be after today (Asia/Shanghai)' }));
    if (errors.length > 0) {
      throw new DomainError(ErrorCode.ValidationFailed, 'The request is invalid', { errors });
    }
  }

  /** The brand owning the account, once the access rule lets the caller at its analytics (else 404/403). */
  private async brandOf(scope: DataScope, accountId: string, manager?: EntityManager): Promise<string> {
    const access = await this.accounts.require(
      scope,
      accountId,
      { authorization: 'analytics', operable: false },
      manager,
    );
    return access.brandOrgId;
  }
}
