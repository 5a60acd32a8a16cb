import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, ValidateIf } from 'class-validator';
import { Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import { ContentDto, FindingDto } from './content.dto';
import { REVIEW_REASON_CODES, ReviewReasonCode } from './reason-codes';
import { Optional } from '../../common/validation';

export class ListReviewTasksQueryDto extends PageQueryDto {
  /** `open` (default): waiting for a decision, claimed or not. */
  @Optional()
  @IsIn(['open', 'decided', 'cancelled'])
  status?: 'open' | 'decided' | 'cancelled';
}

export class DecideReviewTaskDto {
  @ApiProperty({ enum: ['approve', 'reject'] })
  @IsIn(['approve', 'reject'])
  decision: 'approve' | 'reject';

  /** Required to reject; one of the guide's categories. */
  @ApiPropertyOptional({ enum: REVIEW_REASON_CODES })
  @ValidateIf((o: DecideReviewTaskDto) => o.decision === 'reject' || o.reasonCode !== undefined)
  @IsIn(REVIEW_REASON_CODES)
  reasonCode?: ReviewReasonCode;

  /** Shown to the author. Required with reason `other`. */
  @ValidateIf((o: DecideReviewTaskDto) => o.reasonCode === 'other' || o.note !== undefined)
  @Trim()
  @IsString()
  @Length(1, 1000)
  note?: string;
}

export class ReviewTaskDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  contentId: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty({ enum: ['organization', 'platform'] })
  level: 'organization' | 'platform';

  @ApiProperty({ enum: ['open', 'decided', 'cancelled'] })
  status: 'open' | 'decided' | 'cancelled';

  @ApiProperty({ description: 'The content revision under review' })
  revision: number;

  @ApiProperty()
  title: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  authorId: string | null;

  @ApiProperty({ type: FindingDto, isArray: true })
  findings: FindingDto[];

  @ApiProperty({
    format: 'uuid',
    type: String,
    nullable: true,
    description: 'Reviewer holding an unexpired claim',
  })
  claimedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  claimExpiresAt: string | null;

  @ApiProperty({ enum: ['approve', 'reject'], nullable: true, type: String })
  decision: string | null;

  @ApiProperty({ enum: REVIEW_REASON_CODES, nullable: true, type: String })
  reasonCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class ContentEventDto {
  @ApiProperty({ type: String, nullable: true })
  fromState: string | null;

  @ApiProperty()
  toState: string;

  @ApiProperty({ description: 'created, submitted, edited, review.approved, review.rejected, removed, …' })
  action: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  actorUserId: string | null;

  @ApiProperty({ type: String, nullable: true })
  reasonCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: FindingDto, isArray: true, nullable: true })
  findings: FindingDto[] | null;

  @ApiProperty()
  revision: number;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class PriorRejectionDto {
  @ApiProperty({ format: 'uuid' })
  contentId: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ description: 'review.rejected or submitted (rejected by automatic review)' })
  action: string;

  @ApiProperty({ type: String, nullable: true })
  reasonCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class ReviewTaskDetailDto {
  @ApiProperty({ type: ReviewTaskDto })
  task: ReviewTaskDto;

  @ApiProperty({ type: ContentDto })
  content: ContentDto;

  @ApiProperty({ type: ContentEventDto, isArray: true, description: "The content's history, oldest first" })
  history: ContentEventDto[];

  @ApiProperty({
    type: PriorRejectionDto,
    isArray: true,
    description: "The author's other rejected content, newest first (at most 20)",
  })
  authorRejections: PriorRejectionDto[];
}
