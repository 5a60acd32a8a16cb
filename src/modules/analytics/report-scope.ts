import { Injectable } from '@nestjs/common';
import { IntersectionType } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { DataSource } from 'typeorm';
import { Optional } from '../../common/validation';
import { DomainError } from '../../platform/errors';
import { IntervalReportQueryDto, ReportQueryDto } from '../../platform/reports';
import { DataScope } from '../access/data-scope';
import { SocialAccountAccess } from '../social-accounts/account-access.service';
import { Channel, CHANNELS, DEVICE_TYPES, DeviceType } from './event.types';

/** The filters every analytics report takes; each narrows the events counted. */
export class AnalyticsFiltersDto {
  @Optional()
  @IsIn(CHANNELS)
  channel?: Channel;

  /** Only the events of this social account (404 when you may not read its analytics). */
  @Optional()
  @IsUUID()
  socialAccountId?: string;

  @Optional()
  @IsUUID()
  campaignId?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  utmSource?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  utmMedium?: string;

  @Optional()
  @IsString()
  @Length(1, 200)
  utmCampaign?: string;

  @Optional()
  @IsIn(DEVICE_TYPES)
  deviceType?: DeviceType;
}

/** A report over a period with the analytics filters. */
export class AnalyticsReportQueryDto extends IntersectionType(ReportQueryDto, AnalyticsFiltersDto) {}

/** A report over a period in buckets (`interval`) with the analytics filters. */
export class AnalyticsSeriesQueryDto extends IntersectionType(IntervalReportQueryDto, AnalyticsFiltersDto) {}

/** Event columns a selection filters on, for tables (rollups) that name them differently. */
export interface SelectionColumns {
  org: string;
  socialAccount: string;
  channel: string;
  campaign: string;
  utmSource: string;
  utmMedium: string;
  utmCampaign: string;
  deviceType: string;
}

const FILTER_COLUMNS: [keyof AnalyticsFiltersDto, keyof SelectionColumns][] = [
  ['channel', 'channel'],
  ['campaignId', 'campaign'],
  ['utmSource', 'utmSource'],
  ['utmMedium', 'utmMedium'],
  ['utmCampaign', 'utmCampaign'],
  ['deviceType', 'deviceType'],
];

/**
 * Which of an organization's events a caller's report may count: those of the social accounts it may
 * read analytics for (see `AnalyticsReportScope`), those attributed to no account when its scope
 * covers the whole organization, narrowed by the filters.
 */
export class EventSelection {
  constructor(
    readonly orgId: string,
    /** Accounts whose events count (already narrowed to `filters.socialAccountId` when given). */
    readonly accountIds: readonly string[],
    /** Whether events without a social account count (only for organization-wide readers). */
    readonly includeUnattributed: boolean,
    readonly filters: Readonly<AnalyticsFiltersDto>,
  ) {}

  /**
   * The SQL condition over a table with event columns (aliased `alias`, or named by `columns`), its
   * values appended to `params` as `$n` placeholders: never string-built values.
   */
  where(alias: string, params: unknown[], columns: Partial<SelectionColumns> = {}): string {
    const column = (name: keyof SelectionColumns, fallback: string) =>
      columns[name] ?? `${alias}.${fallback}`;
    const bind = (value: unknown) => `$${params.push(value)}`;
    const account = column('socialAccount', 'social_account_id');
    const conditions = [`${column('org', 'org_id')} = ${bind(this.orgId)}`];
    const accounts = `${account} = ANY(${bind(this.accountIds)}::uuid[])`;
    conditions.push(this.includeUnattributed ? `(${accounts} OR ${account} IS NULL)` : accounts);
    const fallbacks: Record<keyof SelectionColumns, string> = {
      org: 'org_id',
      socialAccount: 'social_account_id',
      channel: 'channel',
      campaign: 'campaign_id',
      utmSource: 'utm_source',
      utmMedium: 'utm_medium',
      utmCampaign: 'utm_campaign',
      deviceType: 'device_type',
    };
    for (const [filter, name] of FILTER_COLUMNS) {
      const value = this.filters[filter];
      if (value !== undefined) conditions.push(`${column(name, fallbacks[name])} = ${bind(value)}`);
    }
    return conditions.join(' AND ');
  }
}

/**
 * The report side of the account access rule: a member reads the organization's analytics only for
 * the social accounts its `analytics:read` scope covers (its brand's accounts in its units, or
 * accounts authorized to its agency with an active, unexpired `analytics` authorization and assigned
 * within its scope), and events attributed to no account only with a scope over the whole
 * organization. Evaluated per request from the database and the Clock, so an authorization that ends
 * stops the agency's reports on the next request.
 */
@Injectable()
export class AnalyticsReportScope {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: SocialAccountAccess,
  ) {}

  async resolve(scope: DataScope, filters: AnalyticsFiltersDto): Promise<EventSelection> {
    const query = this.dataSource.createQueryBuilder().select('sa.id', 'id').from('social_accounts', 'sa');
    if (filters.socialAccountId) query.where('sa.id = :only', { only: filters.socialAccountId });
    this.accounts.applyVisibility(query, scope, 'sa', { authorization: 'analytics' });
    const visible = (await query.getRawMany<{ id: string }>()).map((row) => row.id);
    if (filters.socialAccountId) {
      if (visible.length === 0) throw DomainError.notFound('Social account');
      return new EventSelection(scope.orgId, visible, false, filters);
    }
    return new EventSelection(scope.orgId, visible, scope.coversOrganization, filters);
  }
}
