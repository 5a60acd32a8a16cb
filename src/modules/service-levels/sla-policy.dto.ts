import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { HasNoControlCharacters, NestedObject, Nullable, Optional, Trim } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';
import { MAX_MINUTES } from './service-calendar.dto';
import { SLA_MODES, SlaMode } from './sla-clock';
import {
  SERVICE_CHANNELS,
  ServiceChannel,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  TicketPriority,
  TicketType,
} from './ticket-facts';

export class SlaTargetDto {
  /** Minutes of the clock until the target is due; at least 1. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_MINUTES })
  @IsInt()
  @Min(1)
  @Max(MAX_MINUTES)
  minutes: number;

  /** `working`: the calendar's open minutes; `wall_clock`: every minute. */
  @ApiProperty({ enum: SLA_MODES })
  @IsIn(SLA_MODES)
  mode: SlaMode;
}

/** Which tickets a policy applies to. A list left out or empty matches any value. */
export class SlaConditionsDto {
  @ApiPropertyOptional({ enum: TICKET_TYPES, isArray: true })
  @Optional()
  @IsIn(TICKET_TYPES, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(TICKET_TYPES.length)
  ticketTypes?: TicketType[];

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, isArray: true })
  @Optional()
  @IsIn(TICKET_PRIORITIES, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(TICKET_PRIORITIES.length)
  priorities?: TicketPriority[];

  /** Customer tiers such as `vip`, `normal` (compared case-insensitively). */
  @ApiPropertyOptional({ type: String, isArray: true, maxItems: 20 })
  @Optional()
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  @Matches(/^[^\s].*$/, { each: true, message: 'customerTiers must not start with a space' })
  @HasNoControlCharacters({ each: true })
  @ArrayUnique()
  @ArrayMaxSize(20)
  customerTiers?: string[];

  @ApiPropertyOptional({ enum: SERVICE_CHANNELS, isArray: true })
  @Optional()
  @IsIn(SERVICE_CHANNELS, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(SERVICE_CHANNELS.length)
  channels?: ServiceChannel[];
}

export class CreateSlaPolicyDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  @Optional()
  @NestedObject(() => SlaConditionsDto)
  conditions?: SlaConditionsDto;

  /** Until the first public reply. */
  @Nullable()
  @NestedObject(() => SlaTargetDto)
  firstResponse?: SlaTargetDto | null;

  /** From each customer message until the next public reply. */
  @Nullable()
  @NestedObject(() => SlaTargetDto)
  nextResponse?: SlaTargetDto | null;

  /** Until the ticket is resolved (the reply with the result). */
  @Nullable()
  @NestedObject(() => SlaTargetDto)
  resolution?: SlaTargetDto | null;

  /** The calendar working-time targets count on; null or left out: the organization's default calendar. */
  @Nullable()
  @IsUUID()
  calendarId?: string | null;

  /** How many minutes before a due time the assignee is warned; null for no warning. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 10080, nullable: true })
  @Nullable()
  @IsInt()
  @Min(1)
  @Max(10080)
  warnBeforeMinutes?: number | null;

  /** At a breach, hand the ticket to one of the unit's supervisors as it is escalated. Default false. */
  @Optional()
  @IsBoolean()
  reassignOnBreach?: boolean;
}

export class UpdateSlaPolicyDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  /** Replaces the conditions. */
  @Optional()
  @NestedObject(() => SlaConditionsDto)
  conditions?: SlaConditionsDto;

  @Nullable()
  @NestedObject(() => SlaTargetDto)
  firstResponse?: SlaTargetDto | null;

  @Nullable()
  @NestedObject(() => SlaTargetDto)
  nextResponse?: SlaTargetDto | null;

  @Nullable()
  @NestedObject(() => SlaTargetDto)
  resolution?: SlaTargetDto | null;

  @Nullable()
  @IsUUID()
  calendarId?: string | null;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 10080, nullable: true })
  @Nullable()
  @IsInt()
  @Min(1)
  @Max(10080)
  warnBeforeMinutes?: number | null;

  /** At a breach, hand the ticket to one of the unit's supervisors as it is escalated. Default false. */
  @Optional()
  @IsBoolean()
  reassignOnBreach?: boolean;
}

export class ReorderSlaPoliciesDto {
  /** Every policy of the organization, once each, in the order they are to be tried. */
  @ApiProperty({ type: String, format: 'uuid', isArray: true, maxItems: 200 })
  @IsUUID('all', { each: true })
  @ArrayUnique()
  @ArrayMaxSize(200)
  policyIds: string[];
}

export class ListSlaPoliciesQueryDto extends PageQueryDto {}

export class SlaConditionsViewDto {
  @ApiProperty({ enum: TICKET_TYPES, isArray: true, description: 'Empty: any type' })
  ticketTypes: TicketType[];

  @ApiProperty({ enum: TICKET_PRIORITIES, isArray: true, description: 'Empty: any priority' })
  priorities: TicketPriority[];

  @ApiProperty({ type: String, isArray: true, description: 'Lower case; empty: any tier, none included' })
  customerTiers: string[];

  @ApiProperty({ enum: SERVICE_CHANNELS, isArray: true, description: 'Empty: any channel' })
  channels: ServiceChannel[];
}

export class SlaTargetViewDto {
  @ApiProperty()
  minutes: number;

  @ApiProperty({ enum: SLA_MODES })
  mode: SlaMode;
}

export class SlaPolicyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ description: 'Place in the order policies are tried (1 first)' })
  position: number;

  @ApiProperty({ type: SlaConditionsViewDto })
  conditions: SlaConditionsViewDto;

  @ApiProperty({ type: SlaTargetViewDto, nullable: true })
  firstResponse: SlaTargetViewDto | null;

  @ApiProperty({ type: SlaTargetViewDto, nullable: true })
  nextResponse: SlaTargetViewDto | null;

  @ApiProperty({ type: SlaTargetViewDto, nullable: true })
  resolution: SlaTargetViewDto | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "Null: the organization's default",
  })
  calendarId: string | null;

  @ApiProperty({ type: Number, nullable: true })
  warnBeforeMinutes: number | null;

  /** At a breach the ticket is handed to one of the unit's supervisors as it is escalated. */
  @ApiProperty()
  reassignOnBreach: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Set on the policies seeded from the guide' })
  seedKey: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class SlaPolicyListDto {
  @ApiProperty({ type: SlaPolicyDto, isArray: true })
  items: SlaPolicyDto[];
}
