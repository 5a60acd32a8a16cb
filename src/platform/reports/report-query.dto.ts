import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsCalendarDate, Optional } from '../../common/validation';

export const REPORT_FORMATS = ['json', 'csv', 'svg'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];

/** A range of local calendar days, both inclusive. */
export class DayRangeQueryDto {
  /** First day, inclusive (YYYY-MM-DD, in the organization's time zone); default: `to` minus the report's default length. */
  @ApiPropertyOptional({ format: 'date', example: '2026-11-01' })
  @Optional()
  @IsCalendarDate()
  from?: string;

  /** Last day, inclusive (YYYY-MM-DD, in the organization's time zone); default: today. */
  @ApiPropertyOptional({ format: 'date', example: '2026-11-30' })
  @Optional()
  @IsCalendarDate()
  to?: string;
}

/**
 * The period and format every report takes. Report query DTOs extend this (or
 * `IntervalReportQueryDto`) and add their own filters.
 */
export class ReportQueryDto extends DayRangeQueryDto {
  /** `json` (default), `csv` (the same numbers, UTF-8, a header row of column keys) or `svg` (a chart). */
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @Optional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

export class IntervalReportQueryDto extends ReportQueryDto {
  /** Bucket size: `hour` (periods of at most 31 days), `day` (default), `week` (ISO, from Monday) or `month`. */
  @ApiPropertyOptional({ enum: REPORT_INTERVALS, default: 'day' })
  @Optional()
  @IsIn(REPORT_INTERVALS)
  interval?: ReportInterval;
}
