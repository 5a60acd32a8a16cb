import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsObject, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { Nullable, Optional } from '../../../common/validation';
import { HasNoControlCharacters } from '../../../common/validation/plain-text';
import { Trim } from '../../../common/validation/transforms';
import { AnalyticsFiltersDto } from '../report-scope';

export const DEFAULT_LOOKBACK_DAYS = 30;

export const RULE_DESCRIPTION =
  'A group `{"all": [...]}`, `{"any": [...]}` or `{"not": node}` of conditions and nested groups (4 levels, ' +
  '20 conditions): `{"event": {"type": "purchase", "name"?: "…", "minCount": 2, "withinDays": 30}}`, ' +
  '`{"property": {"key": "plan", "equals": "pro"}}`, `{"device": {"in": ["mobile"]}}`, ' +
  '`{"channel": {"in": ["search"]}}`. People are userId, else anonymousId.';

export class CreateAnalyticsSegmentDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  description?: string;

  /** People count when they had any event in the last N days (1–366, default 30). */
  @ApiPropertyOptional({ minimum: 1, maximum: 366, default: DEFAULT_LOOKBACK_DAYS })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(366)
  lookbackDays?: number;

  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION })
  @IsDefined()
  @IsObject()
  rule: Record<string, unknown>;

  /** The unit the segment belongs to (within your scope); default the unit of your grant. */
  @Optional()
  @IsUUID()
  unitId?: string;
}

export class UpdateAnalyticsSegmentDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  /** `null` clears it. */
  @Nullable()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  description?: string | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 366 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(366)
  lookbackDays?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION })
  @Optional()
  @IsObject()
  rule?: Record<string, unknown>;
}

export class AnalyticsSegmentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  name: string;
  @ApiProperty({ type: String, nullable: true })
  description: string | null;
  lookbackDays: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION })
  rule: Record<string, unknown>;
  @ApiProperty({ format: 'uuid' })
  unitId: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  ownerId: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class SegmentSizeQueryDto extends AnalyticsFiltersDto {}

export class AnalyticsSegmentSizeDto {
  @ApiProperty({ format: 'uuid' })
  segmentId: string;
  /** People matching the rule now, among those active in the lookback window. */
  size: number;
  /** People with any event in the lookback window (the segment's universe). */
  activePeople: number;
  /** size / activePeople; null when no one was active. */
  @ApiProperty({ type: Number, nullable: true })
  share: number | null;
  @ApiProperty({ format: 'date-time' })
  computedAt: string;
  @ApiProperty({ format: 'date-time' })
  lookbackStart: string;
}
