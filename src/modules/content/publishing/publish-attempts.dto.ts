import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../../platform/http/pagination';

export const PUBLISH_OUTCOMES = ['pending', 'succeeded', 'failed', 'refused'] as const;

export class PublishAttemptDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  contentId: string;

  @ApiProperty({
    description: 'Number of the attempt since the content was (last) approved, from 1',
    example: 1,
  })
  attempt: number;

  @ApiProperty({
    description:
      "What published: `sandbox`, `douyin`, `platform` (the platform's own channels), `none` (refused before any call)",
    example: 'douyin',
  })
  connector: string;

  @ApiProperty({
    enum: PUBLISH_OUTCOMES,
    description: '`pending` while the call to the platform is in flight',
  })
  outcome: (typeof PUBLISH_OUTCOMES)[number];

  @ApiProperty({ type: String, nullable: true, description: 'Why it failed or was refused' })
  error: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The platform's id of the post" })
  externalPostId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'A link to the post, when the platform gives one',
  })
  externalUrl: string | null;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;
}

export class PublishAttemptPageDto extends PageOf(PublishAttemptDto) {}
