import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Trim } from '../../common/validation/transforms';
import { Optional } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';
import { CUSTOMER_TIERS, CustomerTier } from './customer.types';

export const CARE_TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type CareTaskStatus = (typeof CARE_TASK_STATUSES)[number];

export class CreateCarePlanDto {
  /** Customers of this tier are contacted regularly; one plan per tier. */
  @ApiProperty({ enum: CUSTOMER_TIERS })
  @IsIn(CUSTOMER_TIERS)
  tier: CustomerTier;

  /** Days between contacts, counted from the last contact (or from the profile's creation). */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 366 })
  @IsInt()
  @Min(1)
  @Max(366)
  intervalDays: number;

  @Optional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateCarePlanDto {
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 366 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(366)
  intervalDays?: number;

  /** An inactive plan generates no new tasks; open ones stay. */
  @Optional()
  @IsBoolean()
  active?: boolean;
}

export class CarePlanDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: CUSTOMER_TIERS })
  tier: string;

  @ApiProperty({ type: 'integer', format: 'int32' })
  intervalDays: number;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ListCareTasksQueryDto extends PageQueryDto {
  /** `me` or a member id. */
  @Optional()
  @Matches(/^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'ownerId must be "me" or a UUID',
  })
  ownerId?: string;

  @ApiPropertyOptional({ enum: CARE_TASK_STATUSES, default: 'open' })
  @Optional()
  @IsIn(CARE_TASK_STATUSES)
  status?: CareTaskStatus;
}

export class CompleteCareTaskDto {
  /** What was talked about; kept on the task and in the customer's history. */
  @Trim()
  @IsString()
  @Length(1, 2000)
  @Matches(/^(?:\P{Cc}|[\n\r\t])*$/u, {
    message: 'note must not contain control characters other than line breaks and tabs',
  })
  note: string;
}

export class CareTaskDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty()
  customerName: string;

  @ApiProperty({ description: 'Tier of the customer' })
  tier: string;

  @ApiProperty({ format: 'uuid' })
  planId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  ownerId: string | null;

  @ApiProperty({ format: 'date', description: 'Local date (Asia/Shanghai) the contact is due' })
  dueOn: string;

  @ApiProperty({ enum: CARE_TASK_STATUSES })
  status: CareTaskStatus;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
