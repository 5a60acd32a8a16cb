import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import { FindingDto } from './content.dto';
import { REMOVAL_REASON_CODES, RemovalReasonCode } from './reason-codes';
import { Optional } from '../../common/validation';

export class RemoveContentDto {
  @ApiProperty({ enum: REMOVAL_REASON_CODES })
  @IsIn(REMOVAL_REASON_CODES)
  reasonCode: RemovalReasonCode;

  /** Shown to the author. */
  @Trim()
  @IsString()
  @Length(1, 1000)
  note: string;
}

export class CreateRestoreRequestDto {
  /** Why the content should be shown again. */
  @Trim()
  @IsString()
  @Length(10, 2000)
  justification: string;
}

export class DecideRestoreRequestDto {
  @ApiProperty({ enum: ['approve', 'reject'] })
  @IsIn(['approve', 'reject'])
  decision: 'approve' | 'reject';

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 1000)
  note?: string;
}

export class ListRestoreRequestsQueryDto extends PageQueryDto {
  /** `pending` by default. */
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'rejected'] })
  @Optional()
  @IsIn(['pending', 'approved', 'rejected'])
  status?: 'pending' | 'approved' | 'rejected';
}

export class RestoreRequestDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  contentId: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  requestedBy: string | null;

  @ApiProperty()
  justification: string;

  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] })
  status: 'pending' | 'approved' | 'rejected';

  @ApiProperty({
    enum: REMOVAL_REASON_CODES,
    nullable: true,
    type: String,
    description: 'Why the content was removed (null once restored)',
  })
  removalReasonCode: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  decisionNote: string | null;

  @ApiProperty({
    type: FindingDto,
    isArray: true,
    nullable: true,
    description: 'What automatic review found when the restore was approved',
  })
  findings: FindingDto[] | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
