import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { IsDateTime, Nullable, Optional } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';

export class CreateTicketStepDto {
  /** e.g. "Receive item", "Inspect", "Repair", "Ship back". */
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  title: string;

  /** The member responsible for the step (an active member of the organization). */
  @Nullable()
  @IsUUID()
  responsibleId?: string | null;

  @Nullable()
  @IsDateTime()
  dueAt?: string | null;
}

export class UpdateTicketStepDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  title?: string;

  @Nullable()
  @IsUUID()
  responsibleId?: string | null;

  @Nullable()
  @IsDateTime()
  dueAt?: string | null;

  /** Mark done (true) or not done again (false). */
  @Optional()
  @IsBoolean()
  done?: boolean;
}

export class TicketStepDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  position: number;

  @ApiProperty()
  title: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  responsibleId: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  dueAt: string | null;

  @ApiProperty()
  done: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  doneAt: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  doneBy: string | null;
}

export const FOLLOW_UP_STATUSES = ['scheduled', 'open', 'done', 'cancelled'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

export class ListFollowUpsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FOLLOW_UP_STATUSES, description: 'Default `open`' })
  @Optional()
  @IsIn(FOLLOW_UP_STATUSES)
  status?: FollowUpStatus;

  /** Only this member's follow-ups. */
  @Optional()
  @IsUUID()
  assigneeId?: string;
}

export class CompleteFollowUpDto {
  /** What the customer said: is the problem solved? */
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 1000)
  @HasNoControlCharacters()
  note?: string;
}

export class FollowUpDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  ticketId: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  assigneeId: string | null;

  @ApiProperty({ enum: FOLLOW_UP_STATUSES })
  status: FollowUpStatus;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  openedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  doneAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;
}

export class TicketSettingsDto {
  @ApiProperty({ description: 'Days after an after-sales resolution until its follow-up is due' })
  followUpDays: number;

  @ApiProperty({
    format: 'uuid',
    type: String,
    nullable: true,
    description: "Where inbound (public, partner) tickets land; the organization's root unit when null",
  })
  inboundUnitId: string | null;
}

export class UpdateTicketSettingsDto {
  @Optional()
  @IsInt()
  @Min(1)
  @Max(90)
  followUpDays?: number;

  @Nullable()
  @IsUUID()
  inboundUnitId?: string | null;
}
