import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Matches, MaxLength } from 'class-validator';
import { Optional } from '../../../common/validation';
import { REPORT_INTERVALS, ReportInterval } from '../../../platform/reports';
import { AnalyticsReportQueryDto, AnalyticsSeriesQueryDto } from '../report-scope';

export const TRAFFIC_METRICS = [
  'pageViews',
  'visitors',
  'sessions',
  'bounceRate',
  'avgSessionDurationSeconds',
  'plays',
  'avgPlayTimeMs',
  'completionRate',
] as const;
export type TrafficMetric = (typeof TRAFFIC_METRICS)[number];

/** Every metric once: a longer list repeats one. */
const METRIC_LIST_MAX_LENGTH = TRAFFIC_METRICS.join(',').length;
const METRIC_LIST = new RegExp(`^(${TRAFFIC_METRICS.join('|')})(,(${TRAFFIC_METRICS.join('|')}))*$`);

export class TrafficReportQueryDto extends AnalyticsSeriesQueryDto {
  /**
   * The metrics of the CSV columns and the chart's series, comma-separated (default: all for CSV;
   * page views, visitors and sessions for the chart). JSON always carries every metric.
   */
  @ApiPropertyOptional({
    example: 'pageViews,visitors',
    description: `Comma-separated: ${TRAFFIC_METRICS.join(', ')}`,
    maxLength: METRIC_LIST_MAX_LENGTH,
  })
  @Optional()
  @MaxLength(METRIC_LIST_MAX_LENGTH)
  @Matches(METRIC_LIST, {
    message: `metrics must be a comma-separated list of: ${TRAFFIC_METRICS.join(', ')}`,
  })
  metrics?: string;
}

export const CHANNEL_GROUPINGS = ['channel', 'utmSource', 'utmMedium', 'utmCampaign'] as const;
export type ChannelGrouping = (typeof CHANNEL_GROUPINGS)[number];

export class ChannelsReportQueryDto extends AnalyticsReportQueryDto {
  /** What a row is: a channel (default) or a UTM source, medium or campaign. */
  @ApiPropertyOptional({ enum: CHANNEL_GROUPINGS, default: 'channel' })
  @Optional()
  @IsIn(CHANNEL_GROUPINGS)
  groupBy?: ChannelGrouping;
}

export const ACTIVE_USER_INTERVALS = REPORT_INTERVALS.filter((i) => i !== 'hour');

export class ActiveUsersReportQueryDto extends AnalyticsReportQueryDto {
  /** Bucket size: `day` (default), `week` (ISO, from Monday) or `month`; lifecycle compares each bucket with the same number of days before it. */
  @ApiPropertyOptional({ enum: ACTIVE_USER_INTERVALS, default: 'day' })
  @Optional()
  @IsIn(ACTIVE_USER_INTERVALS)
  interval?: Exclude<ReportInterval, 'hour'>;
}

export class TrafficFiguresDto {
  /** Events of type `page_view`. */
  pageViews!: number;
  /** Distinct persons (userId, else anonymousId) with any event in the bucket. */
  visitors!: number;
  /** Sessions (a sessionId's events within one local day) starting in the bucket. */
  sessions!: number;
  /** Sessions with at most one event besides `session_start`, over sessions; null without sessions. */
  @ApiProperty({ type: Number, nullable: true })
  bounceRate!: number | null;
  /** Mean of (last event − first event) over the sessions, in seconds (2 decimals); null without sessions. */
  @ApiProperty({ type: Number, nullable: true })
  avgSessionDurationSeconds!: number | null;
  /** Plays of the short videos of the accounts in reach (imported daily metrics); null for hourly buckets. */
  @ApiProperty({ type: Number, nullable: true })
  plays!: number | null;
  /** Play-weighted mean of the accounts' average play time, ms; null without plays or for hourly buckets. */
  @ApiProperty({ type: Number, nullable: true })
  avgPlayTimeMs!: number | null;
  /** Play-weighted mean of the accounts' completion rates (0–1); null without plays or for hourly buckets. */
  @ApiProperty({ type: Number, nullable: true })
  completionRate!: number | null;
}

export class TrafficBucketDto extends TrafficFiguresDto {
  /** The bucket: `2026-11-30` (day, week by its Monday), `2026-11` (month), `2026-11-30T09:00` (hour). */
  bucket!: string;
}

export class TrafficReportDto {
  @ApiProperty({ format: 'date' })
  from!: string;
  @ApiProperty({ format: 'date' })
  to!: string;
  timeZone!: string;
  @ApiProperty({ enum: REPORT_INTERVALS })
  interval!: ReportInterval;
  /** The whole period (visitors distinct over the period, not a sum of the buckets). */
  totals!: TrafficFiguresDto;
  items!: TrafficBucketDto[];
}

export class ChannelRowDto {
  /** The channel, UTM source, medium or campaign; null for events without one. */
  @ApiProperty({ type: String, nullable: true })
  key!: string | null;
  /** Distinct persons with an event of this key in the period. */
  visitors!: number;
  /** Sessions whose first event has this key. */
  sessions!: number;
  /** Events of type `conversion` or `purchase` with this key. */
  conversions!: number;
  /** Distinct persons with a conversion of this key, over `visitors`. */
  @ApiProperty({ type: Number, nullable: true })
  conversionRate!: number | null;
  /** Amounts of those conversions and purchases, integer fen. */
  amountFen!: number;
}

export class ChannelsReportDto {
  @ApiProperty({ format: 'date' })
  from!: string;
  @ApiProperty({ format: 'date' })
  to!: string;
  timeZone!: string;
  @ApiProperty({ enum: CHANNEL_GROUPINGS })
  groupBy!: ChannelGrouping;
  /** Rows by visitors, most first (then key). */
  items!: ChannelRowDto[];
}

export class ActiveUsersBucketDto {
  bucket!: string;
  /** Distinct persons active in the bucket. */
  active!: number;
  /** Mean over the bucket's days of the day's distinct active persons (2 decimals). */
  dau!: number;
  /** Distinct persons active in the 7 days ending on the bucket's last day. */
  wau!: number;
  /** Distinct persons active in the 30 days ending on the bucket's last day. */
  mau!: number;
  /** `dau / mau` (4 decimals); null when `mau` is 0. */
  @ApiProperty({ type: Number, nullable: true })
  stickiness!: number | null;
  /** Active in the bucket, and first active ever in it. */
  new!: number;
  /** Active in the bucket and in the previous one (the same number of days right before it). */
  returning!: number;
  /** Active in the bucket, not in the previous one, but active at some time before. */
  resurrecting!: number;
  /** Active in the previous bucket, not in this one. */
  dormant!: number;
}

export class ActiveUsersReportDto {
  @ApiProperty({ format: 'date' })
  from!: string;
  @ApiProperty({ format: 'date' })
  to!: string;
  timeZone!: string;
  @ApiProperty({ enum: ACTIVE_USER_INTERVALS })
  interval!: Exclude<ReportInterval, 'hour'>;
  items!: ActiveUsersBucketDto[];
}
