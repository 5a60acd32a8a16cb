import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { Optional } from '../../../common/validation';
import { AnalyticsReportQueryDto } from '../report-scope';
import { DAILY_METRICS, DailyMetric } from './metric-catalogue';

export const MAX_FORECAST_DAYS = 90;
export const DEFAULT_FORECAST_DAYS = 14;
/** History read when `from` is left out: eight weeks. */
export const DEFAULT_HISTORY_DAYS = 56;
export const MIN_HISTORY_DAYS = 7;

export class ForecastQueryDto extends AnalyticsReportQueryDto {
  /** The daily metric to forecast (docs/analytics.md defines each). */
  @ApiProperty({ enum: DAILY_METRICS })
  @IsIn(DAILY_METRICS)
  metric: DailyMetric;

  /** Days to forecast after the history (1–90). */
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_FORECAST_DAYS,
    default: DEFAULT_FORECAST_DAYS,
  })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_FORECAST_DAYS)
  days?: number;
}

export class ForecastParametersDto {
  alpha: number;
  beta: number;
  /** 0 for the non-seasonal model. */
  gamma: number;
}

export class ForecastHistoryPointDto {
  @ApiProperty({ format: 'date' })
  day: string;
  value: number;
  /** The model's one-step-ahead prediction of the day; null during warm-up (the first week, or two days). */
  @ApiProperty({ type: Number, nullable: true })
  fitted: number | null;
  @ApiProperty({ type: Number, nullable: true })
  lower: number | null;
  @ApiProperty({ type: Number, nullable: true })
  upper: number | null;
  /** The value fell outside the one-step 95 % interval. */
  anomaly: boolean;
}

export class ForecastPointDto {
  @ApiProperty({ format: 'date' })
  day: string;
  value: number;
  /** Lower end of the 95 % prediction interval (never below 0). */
  lower: number;
  upper: number;
}

export class ForecastReportDto {
  @ApiProperty({ enum: DAILY_METRICS })
  metric: DailyMetric;
  unit: string;
  /** `holt_winters_additive` (weekly season, 14 days of history or more) or `holt_linear`. */
  @ApiProperty({ enum: ['holt_winters_additive', 'holt_linear'] })
  model: string;
  @ApiProperty({ format: 'date' })
  from: string;
  @ApiProperty({ format: 'date' })
  to: string;
  timeZone: string;
  /** Coverage of the prediction intervals. */
  level: number;
  /** The cycle (days) the detrended history correlates with most, null when none is clear. */
  @ApiProperty({ type: Number, nullable: true })
  detectedPeriod: number | null;
  parameters: ForecastParametersDto;
  /** Standard deviation of the one-step errors over the history. */
  residualStdDev: number;
  /** The fitted weekly offsets of the 7 forecast days that follow the history; null without a season. */
  @ApiProperty({ type: Number, isArray: true, nullable: true })
  seasonal: number[] | null;
  @ApiProperty({ type: ForecastHistoryPointDto, isArray: true })
  history: ForecastHistoryPointDto[];
  @ApiProperty({ type: ForecastPointDto, isArray: true })
  forecast: ForecastPointDto[];
  /** Past days flagged as anomalies. */
  anomalies: number;
}
