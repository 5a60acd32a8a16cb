import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';

export class ReplaceModerationPolicyDto {
  /** The organization reviews its own content (its `content:review` holders) before the platform does. */
  @IsBoolean()
  organizationReview: boolean;

  /** Content whose automatic check finds nothing, or only `flag` terms, is approved without manual review. */
  @IsBoolean()
  skipManualReviewForLowRisk: boolean;

  /**
   * What Advertising Law absolute terms (category `advertising.absolute_term`) do: `review` (the
   * platform default, as some uses are lawful) or `block`.
   */
  @ApiProperty({ enum: ['review', 'block'] })
  @IsIn(['review', 'block'])
  absoluteTermsAction: 'review' | 'block';
}

export class ModerationPolicyDto {
  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty()
  organizationReview: boolean;

  @ApiProperty()
  skipManualReviewForLowRisk: boolean;

  @ApiProperty({ enum: ['review', 'block'] })
  absoluteTermsAction: 'review' | 'block';

  @ApiProperty({ description: 'False while the organization uses the defaults (nothing saved yet)' })
  customized: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt: string | null;
}
