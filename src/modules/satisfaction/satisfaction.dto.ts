import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsCalendarDate, Optional } from '../../common/validation';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import { TICKET_CHANNELS, TICKET_TYPES, TicketChannel, TicketType } from '../tickets/ticket.dto';

export const NPS_MODES = ['off', 'optional', 'required'] as const;
export type NpsMode = (typeof NPS_MODES)[number];
export const SURVEY_STATUSES = ['pending', 'answered', 'expired'] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];
export const SURVEY_DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type SurveyDeliveryStatus = (typeof SURVEY_DELIVERY_STATUSES)[number];
export const COMMENT_MAX_LENGTH = 2000;
export const DEFAULT_EXPIRY_DAYS = 7;

// ---- Public side -------------------------------------------------------------------------------

/** What a survey asks, shown to the customer before answering. */
export class PublicSurveyDto {
  @ApiProperty({ description: 'Subject of the resolved ticket the survey is about' })
  ticketSubject: string;

  @ApiProperty({ description: 'Name of the organization that served the customer' })
  organizationName: string;

  @ApiProperty({ description: 'Whether the 0–10 recommendation question (NPS) is asked' })
  asksNps: boolean;

  @ApiProperty({ description: 'Whether the NPS answer is required (only when asked)' })
  npsRequired: boolean;

  @ApiProperty({ description: 'Longest comment accepted, in characters' })
  commentMaxLength: number;

  @ApiProperty({ format: 'date-time', description: 'After this the link answers 410 `survey_expired`' })
  expiresAt: string;
}

export class AnswerSurveyDto {
  /** Customer satisfaction: 1 (very unsatisfied) to 5 (very satisfied). */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  csat: number;

  /** How likely the customer is to recommend us, 0–10; required or refused per the organization's settings. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: 10 })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(10)
  nps?: number;

  @Optional()
  @Trim()
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  @HasNoControlCharacters()
  comment?: string;
}

export class SurveyAnsweredDto {
  @ApiProperty({ format: 'date-time' })
  answeredAt: string;
}

// ---- Members' side -----------------------------------------------------------------------------

export class SurveyDeliveryDto {
  @ApiProperty({ enum: SURVEY_DELIVERY_STATUSES })
  status: SurveyDeliveryStatus;

  @ApiProperty({ type: String, nullable: true, description: '`sandbox` or `email`, once sent' })
  connector: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The channel's address of the customer" })
  recipient: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  sentAt: string | null;
}

export const FOLLOW_UP_STATUSES = ['open', 'done'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/** The task a CSAT of 1–2 opens for the supervisors of the ticket's unit. */
export class SurveyFollowUpDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  surveyId: string;

  @ApiProperty({ format: 'uuid' })
  ticketId: string;

  @ApiProperty({ format: 'uuid', description: "The ticket's unit when it was resolved" })
  unitId: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 5,
    description: 'The low score that opened it',
  })
  csat: number;

  @ApiProperty({ enum: FOLLOW_UP_STATUSES })
  status: FollowUpStatus;

  @ApiProperty({ type: [String], description: "Supervisors of the ticket's unit who were told" })
  supervisorIds: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  completedBy: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'What the supervisor did, as they wrote it' })
  note: string | null;
}

export class ListSatisfactionFollowUpsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FOLLOW_UP_STATUSES, default: 'open' })
  @Optional()
  @IsIn(FOLLOW_UP_STATUSES)
  status?: FollowUpStatus;

  /** Only follow-ups of tickets resolved in this unit. */
  @Optional()
  @IsUUID()
  unitId?: string;
}

export class CompleteSatisfactionFollowUpDto {
  /** What was done (called the customer back, refunded…). */
  @Optional()
  @Trim()
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  @HasNoControlCharacters()
  note?: string;
}

export class SurveyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  ticketId: string;

  @ApiProperty({ format: 'uuid', description: "The ticket's unit when it was resolved" })
  unitId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The assignee who resolved it' })
  agentId: string | null;

  @ApiProperty({ enum: TICKET_TYPES })
  ticketType: TicketType;

  @ApiProperty({ enum: TICKET_CHANNELS })
  channel: TicketChannel;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  customerId: string | null;

  @ApiProperty({ enum: SURVEY_STATUSES })
  status: SurveyStatus;

  @ApiProperty({ enum: NPS_MODES })
  npsMode: NpsMode;

  @ApiProperty({ format: 'date-time', description: 'When the ticket was resolved and the survey issued' })
  sentAt: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  answeredAt: string | null;

  @ApiProperty({ type: 'integer', format: 'int32', nullable: true, minimum: 1, maximum: 5 })
  csat: number | null;

  @ApiProperty({ type: 'integer', format: 'int32', nullable: true, minimum: 0, maximum: 10 })
  nps: number | null;

  @ApiProperty({ type: String, nullable: true })
  comment: string | null;

  @ApiProperty({ type: SurveyDeliveryDto })
  delivery: SurveyDeliveryDto;

  @ApiProperty({ type: SurveyFollowUpDto, nullable: true, description: 'The task a score of 1–2 opened' })
  followUp: SurveyFollowUpDto | null;
}

export class ListSurveysQueryDto extends PageQueryDto {
  /** Only surveys of tickets resolved by this member. */
  @Optional()
  @IsUUID()
  agentId?: string;

  /** Only surveys of tickets resolved in this unit. */
  @Optional()
  @IsUUID()
  unitId?: string;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 5,
    description: 'Only answers with this CSAT',
  })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  csat?: number;

  @ApiPropertyOptional({ enum: SURVEY_STATUSES })
  @Optional()
  @IsIn(SURVEY_STATUSES)
  status?: SurveyStatus;

  /** First local day (organization's time zone) the survey was sent, inclusive. */
  @ApiPropertyOptional({ format: 'date', example: '2026-11-01' })
  @Optional()
  @IsCalendarDate()
  from?: string;

  /** Last local day (organization's time zone) the survey was sent, inclusive. */
  @ApiPropertyOptional({ format: 'date', example: '2026-11-30' })
  @Optional()
  @IsCalendarDate()
  to?: string;
}

export class SatisfactionSettingsDto {
  @ApiProperty({ description: 'Days a survey link stays valid after the resolution (1–90, default 7)' })
  expiryDays: number;

  @ApiProperty({ enum: NPS_MODES, description: 'Whether NPS (0–10) is not asked, optional or required' })
  nps: NpsMode;
}

export class UpdateSatisfactionSettingsDto {
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 90 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(90)
  expiryDays?: number;

  @ApiPropertyOptional({ enum: NPS_MODES })
  @Optional()
  @IsIn(NPS_MODES)
  nps?: NpsMode;
}
