import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { AnalyticsReportQueryDto } from '../report-scope';

export const AUDIENCE_DIMENSIONS = ['age_band', 'gender', 'region', 'device', 'interest'] as const;
export type AudienceDimension = (typeof AUDIENCE_DIMENSIONS)[number];

export class AudienceQueryDto extends AnalyticsReportQueryDto {
  /** What to break the audience down by. */
  @ApiProperty({ enum: AUDIENCE_DIMENSIONS })
  @IsIn(AUDIENCE_DIMENSIONS)
  dimension: AudienceDimension;
}

export class PortraitShareDto {
  key: string;
  /** Mean share over the account-days whose portrait has this dimension, in basis points (2 decimals). */
  shareBp: number;
}

export class PortraitDistributionDto {
  /** Account-days of imported portraits with a non-empty distribution of the dimension. */
  accountDays: number;
  @ApiProperty({ type: PortraitShareDto, isArray: true })
  items: PortraitShareDto[];
}

export class EventShareDto {
  key: string;
  /** Distinct people (userId, else anonymousId) with an event carrying this value. */
  people: number;
  /** people / the people with any known value; multi-valued properties (interests) can add up past 1. */
  @ApiProperty({ type: Number, nullable: true })
  share: number | null;
}

export class EventDistributionDto {
  /** Where the value is read: the event's `deviceType`, or a key of its `properties`. */
  source: string;
  /** People with a known value. */
  people: number;
  @ApiProperty({ type: EventShareDto, isArray: true })
  items: EventShareDto[];
}

export class AudienceReportDto {
  @ApiProperty({ enum: AUDIENCE_DIMENSIONS })
  dimension: AudienceDimension;
  @ApiProperty({ format: 'date' })
  from: string;
  @ApiProperty({ format: 'date' })
  to: string;
  timeZone: string;
  /** From the platform's imported portraits of the accounts in scope; null when an event-only filter is given. */
  @ApiProperty({ type: PortraitDistributionDto, nullable: true })
  portrait: PortraitDistributionDto | null;
  events: EventDistributionDto;
}
