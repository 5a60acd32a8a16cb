import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import {
  HasNoControlCharacters,
  IsCalendarDate,
  IsDateTime,
  NestedArray,
  NestedObject,
  Nullable,
  Optional,
  Trim,
} from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';
import { OVERRIDE_KINDS, OverrideKind } from './calendar.types';
import { SLA_MODES, SlaMode } from './sla-clock';

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const MAX_PERIODS_PER_DAY = 8;
export const MAX_OVERRIDES = 1000;
/** One year of minutes: the longest target or due-time request the API takes. */
export const MAX_MINUTES = 525_600;

export class PeriodDto {
  /** Local opening time `HH:MM`. */
  @ApiProperty({ example: '09:00', maxLength: 5 })
  @IsString()
  @Matches(TIME, { message: 'start must be a time HH:MM' })
  start: string;

  /** Local closing time `HH:MM`, after `start`; `24:00` is the end of the day. */
  @ApiProperty({ example: '12:00', maxLength: 5 })
  @IsString()
  @Matches(TIME, { message: 'end must be a time HH:MM (24:00 for midnight)' })
  end: string;
}

/** Open periods of each weekday; an empty list is a closed day. Periods must not overlap. */
export class WeeklyHoursDto {
  @ApiProperty({ type: PeriodDto, isArray: true, maxItems: MAX_PERIODS_PER_DAY })
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  mon: PeriodDto[];

  @ApiProperty({ type: PeriodDto, isArray: true, maxItems: MAX_PERIODS_PER_DAY })
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  tue: PeriodDto[];

  @ApiProperty({ type: PeriodDto, isArray: true, maxItems: MAX_PERIODS_PER_DAY })
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  wed: PeriodDto[];

  @ApiProperty({ type: PeriodDto, isArray: true, maxItems: MAX_PERIODS_PER_DAY })
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  thu: PeriodDto[];

  @ApiProperty({ type: PeriodDto, isArray: true, maxItems: MAX_PERIODS_PER_DAY })
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  fri: PeriodDto[];

  @ApiProperty({ type: PeriodDto, isArray: true, maxItems: MAX_PERIODS_PER_DAY })
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  sat: PeriodDto[];

  @ApiProperty({ type: PeriodDto, isArray: true, maxItems: MAX_PERIODS_PER_DAY })
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  sun: PeriodDto[];
}

export class DateOverrideInputDto {
  /** Local date `YYYY-MM-DD` in the calendar's time zone. */
  @IsCalendarDate()
  date: string;

  /** `holiday` closes the whole day; `workday` is a make-up working day (调休). */
  @ApiProperty({ enum: OVERRIDE_KINDS })
  @IsIn(OVERRIDE_KINDS)
  kind: OverrideKind;

  /** E.g. 春节, 国庆节调休上班. */
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  /** Hours of a make-up working day; omit or null for the calendar's regular weekday hours. Holidays: omit. */
  @ApiPropertyOptional({ type: PeriodDto, isArray: true, nullable: true, maxItems: MAX_PERIODS_PER_DAY })
  @Nullable()
  @NestedArray(() => PeriodDto)
  @ArrayMaxSize(MAX_PERIODS_PER_DAY)
  periods?: PeriodDto[] | null;

  /** Set on dates published ahead of the State Council's notice; defaults to false. */
  @Optional()
  @IsBoolean()
  provisional?: boolean;
}

export class CreateServiceCalendarDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  /**
   * `platform` starts from the platform calendar (mainland holidays and 调休, standard hours); fields
   * given beside it replace the copied ones. Without it, `weeklyHours` is required.
   */
  @ApiPropertyOptional({ enum: ['platform'] })
  @Optional()
  @IsIn(['platform'])
  copyFrom?: 'platform';

  /** IANA time zone; defaults to Asia/Shanghai (or the copied calendar's). */
  @Optional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;

  @Optional()
  @NestedObject(() => WeeklyHoursDto)
  weeklyHours?: WeeklyHoursDto;

  @ApiPropertyOptional({ type: DateOverrideInputDto, isArray: true, maxItems: MAX_OVERRIDES })
  @Optional()
  @NestedArray(() => DateOverrideInputDto)
  @ArrayMaxSize(MAX_OVERRIDES)
  overrides?: DateOverrideInputDto[];

  /** Make it the organization's default calendar (policies without a calendar use the default). */
  @Optional()
  @IsBoolean()
  isDefault?: boolean;
}

export class UpdateServiceCalendarDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  @Optional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;

  @Optional()
  @NestedObject(() => WeeklyHoursDto)
  weeklyHours?: WeeklyHoursDto;

  /** Replaces the whole list of date overrides. */
  @ApiPropertyOptional({ type: DateOverrideInputDto, isArray: true, maxItems: MAX_OVERRIDES })
  @Optional()
  @NestedArray(() => DateOverrideInputDto)
  @ArrayMaxSize(MAX_OVERRIDES)
  overrides?: DateOverrideInputDto[];

  /** `true` makes this the default (the previous default stops being one). To change it, make another the default. */
  @ApiPropertyOptional({ enum: [true] })
  @Optional()
  @IsIn([true], { message: 'isDefault can only be set to true; make another calendar the default instead' })
  isDefault?: true;
}

export class ListServiceCalendarsQueryDto extends PageQueryDto {}

export class DateOverrideDto {
  @ApiProperty({ format: 'date' })
  date: string;

  @ApiProperty({ enum: OVERRIDE_KINDS })
  kind: OverrideKind;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: PeriodDto, isArray: true, nullable: true })
  periods: PeriodDto[] | null;

  @ApiProperty({ description: 'Shipped ahead of the official notice; replace it when the notice is out' })
  provisional: boolean;
}

export class ServiceCalendarDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: 'Asia/Shanghai' })
  timeZone: string;

  @ApiProperty({ type: WeeklyHoursDto })
  weeklyHours: WeeklyHoursDto;

  @ApiProperty({ type: DateOverrideDto, isArray: true, description: 'Sorted by date' })
  overrides: DateOverrideDto[];

  @ApiProperty()
  isDefault: boolean;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The calendar this was copied from',
  })
  copiedFrom: string | null;

  @ApiProperty({ description: "Working minutes of one working day: the regular weekday's open minutes" })
  workingDayMinutes: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class PauseDto {
  @IsDateTime()
  pausedAt: string;

  /** Null while the pause lasts. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @Nullable()
  @IsDateTime()
  resumedAt: string | null;
}

export class DueTimeRequestDto {
  /** When the clock starts. */
  @IsDateTime()
  from: string;

  /** How many minutes of the clock; 0 answers `from`. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_MINUTES })
  @IsInt()
  @Min(0)
  @Max(MAX_MINUTES)
  minutes: number;

  /** `working`: the calendar's open minutes; `wall_clock`: every minute. */
  @ApiProperty({ enum: SLA_MODES })
  @IsIn(SLA_MODES)
  mode: SlaMode;

  /** Stretches the clock stops (a ticket pending on the customer), as the tickets module passes them. */
  @ApiPropertyOptional({ type: PauseDto, isArray: true, maxItems: 100 })
  @Optional()
  @NestedArray(() => PauseDto)
  @ArrayMaxSize(100)
  pauses?: PauseDto[];
}

export class DueTimeDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Null when the clock is paused (a pause without resume) before the minutes are used up',
  })
  dueAt: string | null;

  @ApiProperty({ description: 'Whether the calendar is open at `from`' })
  openAtFrom: boolean;

  @ApiProperty({ format: 'date-time', description: '`from` when open, else the next opening' })
  nextOpeningAt: string;
}
