import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { HasNoControlCharacters } from '../../../common/validation/plain-text';
import { Trim } from '../../../common/validation/transforms';
import { NestedArray, Nullable, Optional } from '../../../common/validation';
import { DayRangeQueryDto, REPORT_FORMATS, ReportFormat } from '../../../platform/reports';
import { EVENT_TYPES, EventType } from '../event.types';
import { AnalyticsFiltersDto } from '../report-scope';

export const MIN_FUNNEL_STEPS = 2;
export const MAX_FUNNEL_STEPS = 10;
/** The longest conversion window: 90 days. */
export const MAX_CONVERSION_WINDOW_SECONDS = 90 * 86_400;
export const MAX_STEP_PROPERTIES = 10;

const PROPERTIES_DESCRIPTION =
  'Top-level property values the event must carry (each key equal to its string, number or boolean ' +
  `value; at most ${MAX_STEP_PROPERTIES} keys), e.g. \`{"plan": "pro"}\``;

/**
 * One step of a funnel: the events that count for it. At least one of `type` and `name`; a `name`
 * means a custom event (only custom events have one).
 */
export class FunnelStepDto {
  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @Optional()
  @IsIn(EVENT_TYPES)
  type?: EventType;

  /** The custom event's name (then `type`, if given, must be `custom`). */
  @Optional()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  /** Only events with exactly this path (as stored: the URL's path when the tracker sent a URL). */
  @Optional()
  @IsString()
  @Length(1, 1024)
  @HasNoControlCharacters()
  path?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string', maxLength: 200 }, { type: 'number' }, { type: 'boolean' }],
    },
    description: PROPERTIES_DESCRIPTION,
  })
  @Optional()
  @IsObject()
  properties?: Record<string, string | number | boolean>;

  /** What the step is called in the answer; by default made of its type, name and path. */
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  label?: string;
}

/** The definition a funnel report runs: its steps in order and the conversion window. */
export class FunnelDefinitionDto {
  @ApiProperty({ type: [FunnelStepDto], minItems: MIN_FUNNEL_STEPS, maxItems: MAX_FUNNEL_STEPS })
  @NestedArray(() => FunnelStepDto)
  @ArrayMinSize(MIN_FUNNEL_STEPS)
  @ArrayMaxSize(MAX_FUNNEL_STEPS)
  steps: FunnelStepDto[];

  /**
   * How long after entering the funnel (the first step) a person may take to reach the last step, in
   * seconds (1 to 7,776,000 = 90 days).
   */
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_CONVERSION_WINDOW_SECONDS,
    example: 86_400,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_CONVERSION_WINDOW_SECONDS)
  conversionWindowSeconds: number;
}

/** The body of an ad hoc funnel report: the definition, the period and the analytics filters. */
export class FunnelReportRequestDto extends IntersectionType(
  FunnelDefinitionDto,
  IntersectionType(DayRangeQueryDto, AnalyticsFiltersDto),
) {}

/** Only the answer's format, for a report whose query travels in the body. */
export class ReportFormatQueryDto {
  /** `json` (default), `csv` (the same numbers, UTF-8, a header row of column keys) or `svg` (a chart). */
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @Optional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

export class CreateFunnelDto extends FunnelDefinitionDto {
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
}

export class UpdateFunnelDto {
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

  @ApiPropertyOptional({ type: [FunnelStepDto], minItems: MIN_FUNNEL_STEPS, maxItems: MAX_FUNNEL_STEPS })
  @Optional()
  @NestedArray(() => FunnelStepDto)
  @ArrayMinSize(MIN_FUNNEL_STEPS)
  @ArrayMaxSize(MAX_FUNNEL_STEPS)
  steps?: FunnelStepDto[];

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_CONVERSION_WINDOW_SECONDS,
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(MAX_CONVERSION_WINDOW_SECONDS)
  conversionWindowSeconds?: number;
}

export class FunnelDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: [FunnelStepDto] })
  steps: FunnelStepDto[];

  @ApiProperty({ type: 'integer' })
  conversionWindowSeconds: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class FunnelStepResultDto {
  /** 1 for the first step. */
  @ApiProperty({ type: 'integer' })
  step: number;

  label: string;

  /** People who reached this step (in order, within the window). */
  @ApiProperty({ type: 'integer' })
  persons: number;

  /** `persons` of this step over `persons` of the first step; null when no one entered. */
  @ApiProperty({ type: Number, nullable: true })
  conversionRate: number | null;

  /** `persons` of this step over those of the step before; null for the first step or when that is 0. */
  @ApiProperty({ type: Number, nullable: true })
  stepConversionRate: number | null;

  /** People who reached the step before but not this one; 0 for the first step. */
  @ApiProperty({ type: 'integer' })
  dropOff: number;

  /** `dropOff` over the step before's `persons`; null for the first step or when that is 0. */
  @ApiProperty({ type: Number, nullable: true })
  dropOffRate: number | null;

  /** Median (nearest rank) of the seconds from the step before to this one; null for the first step or no one. */
  @ApiProperty({ type: Number, nullable: true })
  medianSecondsFromPrevious: number | null;
}

export class FunnelReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  timeZone: string;

  @ApiProperty({ type: 'integer' })
  conversionWindowSeconds: number;

  /** People who entered (reached the first step). */
  @ApiProperty({ type: 'integer' })
  entered: number;

  /** People who reached the last step. */
  @ApiProperty({ type: 'integer' })
  converted: number;

  /** `converted` over `entered`; null when no one entered. */
  @ApiProperty({ type: Number, nullable: true })
  conversionRate: number | null;

  @ApiProperty({ type: [FunnelStepResultDto] })
  steps: FunnelStepResultDto[];
}
