import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from './event.types';

export class ReplaceAnalyticsSettingsDto {
  /** How long events are kept, in days (30–1830). Older events are refused and deleted. */
  @ApiProperty({ minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS, example: DEFAULT_RETENTION_DAYS })
  @IsInt()
  @Min(MIN_RETENTION_DAYS)
  @Max(MAX_RETENTION_DAYS)
  retentionDays: number;
}

export class AnalyticsSettingsDto {
  /** How long events are kept, in days; 400 until the organization sets it. */
  retentionDays: number;
  /** True while the organization has not set its own values. */
  isDefault: boolean;
}
