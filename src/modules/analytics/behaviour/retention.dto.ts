import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Optional } from '../../../common/validation';
import { AnalyticsReportQueryDto } from '../report-scope';

export const RETENTION_INTERVALS = ['day', 'week'] as const;
export type RetentionInterval = (typeof RETENTION_INTERVALS)[number];

export class RetentionQueryDto extends AnalyticsReportQueryDto {
  /** Cohort and period size: `day` (default) or `week` (ISO weeks from Monday, cut to the period). */
  @ApiPropertyOptional({ enum: RETENTION_INTERVALS, default: 'day' })
  @Optional()
  @IsIn(RETENTION_INTERVALS)
  interval?: RetentionInterval;
}

export class RetentionCohortDto {
  /** The cohort's period (its first day; a week by its Monday). */
  @ApiProperty({ format: 'date' })
  cohort: string;

  /** People whose first activity in the report's period fell in the cohort's period. */
  @ApiProperty({ type: 'integer' })
  persons: number;

  /**
   * People of the cohort active in the cohort's period plus n, for n = 0 up to the last period of the
   * report (the triangle: later cohorts have fewer). `active[0]` is `persons`.
   */
  @ApiProperty({ type: [Number] })
  active: number[];

  /** `active[n]` over `persons`, 4 decimals; null when the cohort is empty. */
  @ApiProperty({ type: 'array', items: { type: 'number', nullable: true } })
  rates: (number | null)[];
}

export class RetentionReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  timeZone: string;

  @ApiProperty({ enum: RETENTION_INTERVALS })
  interval: RetentionInterval;

  /** One per period of the report, in order, empty ones included. */
  @ApiProperty({ type: [RetentionCohortDto] })
  cohorts: RetentionCohortDto[];
}
