import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { IsCalendarDate, IsDateTime, NestedObject, Nullable, Optional } from '../../../common/validation';
import { HasNoControlCharacters } from '../../../common/validation/plain-text';
import { Trim } from '../../../common/validation/transforms';
import { AnalyticsFiltersDto } from '../report-scope';
import { DAILY_METRICS, DailyMetric } from './metric-catalogue';

export const GOAL_STATES = ['active', 'achieved', 'missed'] as const;
export type GoalState = (typeof GOAL_STATES)[number];
export const MAX_BASELINE_DAYS = 366;
export const MIN_BASELINE_DAYS = 7;
/** Days of the window progress is measured on: one week, so weekday cycles do not move it. */
export const PROGRESS_WINDOW_DAYS = 7;
const MAX_VALUE = 1e15;

export class CreateGoalDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  /** The daily metric the goal is about (docs/analytics.md). */
  @ApiProperty({ enum: DAILY_METRICS })
  @IsIn(DAILY_METRICS)
  metric: DailyMetric;

  /** Narrow the events counted (account metrics take only `socialAccountId`). */
  @ApiPropertyOptional({ type: AnalyticsFiltersDto })
  @Optional()
  @NestedObject(() => AnalyticsFiltersDto)
  filters?: AnalyticsFiltersDto;

  /** First day of the baseline window (local day, inclusive). */
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  baselineFrom: string;

  /** Last day of the baseline window (inclusive, before today; 7–366 days after baselineFrom). */
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  baselineTo: string;

  /** The daily mean the goal aims at (above the baseline mean: an increase; below: a decrease). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_VALUE)
  targetValue: number;

  /** When the goal is judged (after now). */
  @ApiProperty({ format: 'date-time' })
  @IsDateTime()
  deadline: string;

  /** An active member of the organization; default you. */
  @Optional()
  @IsUUID()
  ownerId?: string;

  /** The unit the goal belongs to (within your scope); default the unit of your grant. */
  @Optional()
  @IsUUID()
  unitId?: string;
}

export class UpdateGoalDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  /** A new target; the direction (increase or decrease from the baseline mean) is fixed at creation. */
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_VALUE)
  targetValue?: number;

  /** A new deadline (after now; only while the goal is active). */
  @ApiPropertyOptional({ format: 'date-time' })
  @Optional()
  @IsDateTime()
  deadline?: string;

  @Optional()
  @IsUUID()
  ownerId?: string;
}

export class ApplyOptimizationDto {
  /** When the optimization went live (not in the future, not before the baseline starts). */
  @ApiProperty({ format: 'date-time' })
  @IsDateTime()
  appliedAt: string;

  /** What was changed. `null` or absent: no note. */
  @Nullable()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  note?: string | null;
}

export class GoalListQueryDto {
  @ApiPropertyOptional({ enum: GOAL_STATES })
  @Optional()
  @IsIn(GOAL_STATES)
  state?: GoalState;
}

export class DayWindowDto {
  @ApiProperty({ format: 'date' })
  from: string;
  @ApiProperty({ format: 'date' })
  to: string;
  days: number;
}

export class BaselineDto extends DayWindowDto {
  /** Mean daily value of the baseline window. */
  mean: number;
  /** Full weeks (7-day blocks from `from`) the noise is measured on. */
  weeks: number;
  /** Sample standard deviation of the weekly means; null with fewer than two full weeks. */
  @ApiProperty({ type: Number, nullable: true })
  weeklyNoise: number | null;
}

export class ComparisonDto {
  /** `pending` until the first whole day after the application is over; then `measured`. */
  @ApiProperty({ enum: ['pending', 'measured'] })
  status: 'pending' | 'measured';
  /** Days of each window: the baseline's length, or fewer while the days after are still coming in. */
  windowDays: number;
  @ApiProperty({ type: DayWindowDto, nullable: true })
  before: DayWindowDto | null;
  @ApiProperty({ type: DayWindowDto, nullable: true })
  after: DayWindowDto | null;
  @ApiProperty({ type: Number, nullable: true })
  beforeMean: number | null;
  @ApiProperty({ type: Number, nullable: true })
  afterMean: number | null;
  /** afterMean − beforeMean. */
  @ApiProperty({ type: Number, nullable: true })
  change: number | null;
  /** change / beforeMean; null when beforeMean is 0. */
  @ApiProperty({ type: Number, nullable: true })
  changeRate: number | null;
  /** 2 × the baseline's weekly noise; null without it. */
  @ApiProperty({ type: Number, nullable: true })
  noiseThreshold: number | null;
  /** |change| > noiseThreshold; null when either is unknown. */
  @ApiProperty({ type: Boolean, nullable: true })
  significant: boolean | null;
}

export class GoalApplicationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'date-time' })
  appliedAt: string;
  @ApiProperty({ type: String, nullable: true })
  note: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  recordedBy: string | null;
  comparison: ComparisonDto;
}

export class GoalProgressDto extends DayWindowDto {
  /** Mean daily value over the window (the 7 days up to now, or up to the deadline once it passed). */
  current: number;
  /** (current − baseline mean) / (target − baseline mean); null when the target equals the baseline mean. */
  @ApiProperty({ type: Number, nullable: true })
  fraction: number | null;
  /** current has reached the target in the goal's direction. */
  reached: boolean;
}

export class GoalDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  name: string;
  @ApiProperty({ enum: DAILY_METRICS })
  metric: DailyMetric;
  unit: string;
  filters: AnalyticsFiltersDto;
  @ApiProperty({ format: 'uuid' })
  unitId: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  ownerId: string | null;
  baseline: BaselineDto;
  targetValue: number;
  @ApiProperty({ enum: ['increase', 'decrease'] })
  direction: 'increase' | 'decrease';
  @ApiProperty({ format: 'date-time' })
  deadline: string;
  @ApiProperty({ enum: GOAL_STATES })
  state: GoalState;
  /** The progress value when the deadline job judged the goal; null while active. */
  @ApiProperty({ type: Number, nullable: true })
  finalValue: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  evaluatedAt: string | null;
  progress: GoalProgressDto;
  @ApiProperty({ type: GoalApplicationDto, isArray: true })
  applications: GoalApplicationDto[];
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** A goal in a list: without the computed baseline noise, progress and comparisons. */
export class GoalSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  name: string;
  @ApiProperty({ enum: DAILY_METRICS })
  metric: DailyMetric;
  @ApiProperty({ format: 'uuid' })
  unitId: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  ownerId: string | null;
  baselineMean: number;
  targetValue: number;
  @ApiProperty({ enum: ['increase', 'decrease'] })
  direction: 'increase' | 'decrease';
  @ApiProperty({ format: 'date-time' })
  deadline: string;
  @ApiProperty({ enum: GOAL_STATES })
  state: GoalState;
  @ApiProperty({ type: Number, nullable: true })
  finalValue: number | null;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
