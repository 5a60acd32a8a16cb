import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsInt,
  IsString,
  Length,
  Max,
  Min,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';
import { IsCalendarDate, NestedArray, Optional } from '../../common/validation';
import { HasNoControlCharacters } from '../../common/validation/plain-text';

/** Days one import carries, and the longest range one read covers. */
export const MAX_IMPORT_DAYS = 366;
export const MAX_RANGE_DAYS = 366;
/** The days a read covers when it names none: the last 30. */
export const DEFAULT_RANGE_DAYS = 30;
/** A distribution's shares may add up to a little over 100 % from the platform's rounding. */
export const SHARE_SUM_TOLERANCE_BP = 100;

const MAX_COUNT = 1_000_000_000_000;

export class DailyMetricsInputDto {
  /** The calendar day (Asia/Shanghai, as the platform reports it). */
  @ApiProperty({ format: 'date', example: '2026-11-30' })
  @IsCalendarDate()
  day: string;

  /** Followers at the end of the day. */
  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  followers: number;

  /** Video plays during the day. */
  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  plays: number;

  /** Average play time, milliseconds. */
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  avgPlayTimeMs: number;

  /** Share of plays watched to the end, in basis points (0–10,000 = 0–100 %). */
  @IsInt()
  @Min(0)
  @Max(10_000)
  completionRateBp: number;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  likes: number;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  comments: number;

  @IsInt()
  @Min(0)
  @Max(MAX_COUNT)
  shares: number;
}

export class ImportDailyMetricsDto {
  /** 1 to 366 days, each day at most once; a day imported before is replaced. */
  @ApiProperty({ type: DailyMetricsInputDto, isArray: true, minItems: 1, maxItems: MAX_IMPORT_DAYS })
  @NestedArray(() => DailyMetricsInputDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IMPORT_DAYS)
  @DistinctDays()
  days: DailyMetricsInputDto[];
}

export class DailyMetricsDto extends DailyMetricsInputDto {
  /** The organization that imported this day (the brand, or an authorized agency). */
  importedByOrgId: string;
  @ApiProperty({ format: 'date-time' })
  importedAt: string;
}

export class DailyMetricsListDto {
  @ApiProperty({ type: DailyMetricsDto, isArray: true, maxItems: MAX_RANGE_DAYS })
  items: DailyMetricsDto[];
}

export class ShareDto {
  /** The bucket: an age band (`18-23`), `male`/`female`/`unknown`, a province, a device model, an interest. */
  @IsString()
  @Length(1, 50)
  @HasNoControlCharacters()
  key: string;

  /** Its share of the audience in basis points (0–10,000). */
  @IsInt()
  @Min(0)
  @Max(10_000)
  shareBp: number;
}

export const PORTRAIT_DIMENSIONS = ['ageBands', 'genders', 'regions', 'devices', 'interests'] as const;
export type PortraitDimension = (typeof PORTRAIT_DIMENSIONS)[number];
export const GENDER_KEYS = ['male', 'female', 'unknown'] as const;

export class AudiencePortraitInputDto {
  @ApiProperty({ format: 'date', example: '2026-11-30' })
  @IsCalendarDate()
  day: string;

  /** Age bands such as `<18`, `18-23`, `24-30`, `31-40`, `41-50`, `>50`. */
  @ApiPropertyOptional({ type: ShareDto, isArray: true, maxItems: 20 })
  @Optional()
  @NestedArray(() => ShareDto)
  @ArrayMaxSize(20)
  @Distribution()
  ageBands?: ShareDto[];

  /** Keys `male`, `female`, `unknown`. */
  @ApiPropertyOptional({ type: ShareDto, isArray: true, maxItems: 3 })
  @Optional()
  @NestedArray(() => ShareDto)
  @ArrayMaxSize(3)
  @Distribution(GENDER_KEYS)
  genders?: ShareDto[];

  /** Provinces or cities. */
  @ApiPropertyOptional({ type: ShareDto, isArray: true, maxItems: 100 })
  @Optional()
  @NestedArray(() => ShareDto)
  @ArrayMaxSize(100)
  @Distribution()
  regions?: ShareDto[];

  /** Device brands or models. */
  @ApiPropertyOptional({ type: ShareDto, isArray: true, maxItems: 100 })
  @Optional()
  @NestedArray(() => ShareDto)
  @ArrayMaxSize(100)
  @Distribution()
  devices?: ShareDto[];

  @ApiPropertyOptional({ type: ShareDto, isArray: true, maxItems: 100 })
  @Optional()
  @NestedArray(() => ShareDto)
  @ArrayMaxSize(100)
  @Distribution()
  interests?: ShareDto[];
}

export class ImportAudiencePortraitsDto {
  /** 1 to 366 days, each day at most once; a day imported before is replaced whole. */
  @ApiProperty({ type: AudiencePortraitInputDto, isArray: true, minItems: 1, maxItems: MAX_IMPORT_DAYS })
  @NestedArray(() => AudiencePortraitInputDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IMPORT_DAYS)
  @DistinctDays()
  days: AudiencePortraitInputDto[];
}

export class AudiencePortraitDto {
  @ApiProperty({ format: 'date', example: '2026-11-30' })
  day: string;
  @ApiProperty({ type: ShareDto, isArray: true })
  ageBands: ShareDto[];
  @ApiProperty({ type: ShareDto, isArray: true })
  genders: ShareDto[];
  @ApiProperty({ type: ShareDto, isArray: true })
  regions: ShareDto[];
  @ApiProperty({ type: ShareDto, isArray: true })
  devices: ShareDto[];
  @ApiProperty({ type: ShareDto, isArray: true })
  interests: ShareDto[];
  importedByOrgId: string;
  @ApiProperty({ format: 'date-time' })
  importedAt: string;
}

export class AudiencePortraitListDto {
  @ApiProperty({ type: AudiencePortraitDto, isArray: true, maxItems: MAX_RANGE_DAYS })
  items: AudiencePortraitDto[];
}

export class AccountDataImportResultDto {
  /** Days stored that had no data before. */
  created: number;
  /** Days that replaced an earlier import. */
  replaced: number;
}

/** Each `day` of the array at most once. */
function DistinctDays() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'distinctDays',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) =>
          !Array.isArray(value) ||
          new Set(value.map((item: { day?: unknown }) => item?.day)).size === value.length,
        defaultMessage: (args: ValidationArguments) => `${args.property} must not repeat a day`,
      },
    });
}

/** Distinct keys (from `allowed` when given), shares adding up to at most 100 % (with rounding). */
function Distribution(allowed?: readonly string[]) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'distribution',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => {
          if (!Array.isArray(value)) return true;
          const items = value as { key?: unknown; shareBp?: unknown }[];
          const keys = items.map((item) => item?.key);
          if (new Set(keys).size !== keys.length) return false;
          if (allowed && !keys.every((key) => typeof key === 'string' && allowed.includes(key))) return false;
          const sum = items.reduce(
            (total, item) => total + (typeof item?.shareBp === 'number' ? item.shareBp : 0),
            0,
          );
          return sum <= 10_000 + SHARE_SUM_TOLERANCE_BP;
        },
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must have distinct keys${allowed ? ` (${allowed.join(', ')})` : ''} and shares adding up to at most 10,000 basis points`,
      },
    });
}
