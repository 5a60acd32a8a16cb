import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength } from 'class-validator';
import { FoldName, FOLDS } from './engine';
import { FieldFinding } from './moderation.service';
import { Optional } from '../../common/validation';

export const MAX_CHECK_LENGTH = 100_000;

export class CheckTextDto {
  /** The text to check, as typed (up to 100,000 characters). Nothing is saved. */
  @IsString()
  @MaxLength(MAX_CHECK_LENGTH)
  text: string;

  /**
   * Check with this organization's own lexicon and policy as well. You must be an active member of it
   * (an API key: belong to it), else 404. Without it, only the platform lexicon applies.
   */
  @Optional()
  @IsUUID()
  orgId?: string;
}

export class CheckFindingDto {
  @ApiProperty({
    description: 'The lexicon term as written in its entry, or the detector (`mobile_phone`, …)',
  })
  term: string;

  @ApiProperty({ example: 'advertising.absolute_term' })
  category: string;

  @ApiProperty({ enum: ['low', 'medium', 'high'] })
  severity: 'low' | 'medium' | 'high';

  @ApiProperty({ enum: ['block', 'review', 'flag'], description: 'After the organization’s policy' })
  action: 'block' | 'review' | 'flag';

  @ApiProperty({
    description: 'UTF-16 offset in the original text: `text.slice(start, end)` is what matched',
  })
  start: number;

  @ApiProperty({ description: 'UTF-16 offset just past the match' })
  end: number;

  @ApiProperty({ description: 'The original text between start and end, junk characters included' })
  matchedText: string;

  @ApiPropertyOptional({ description: 'Why it matters, and when the term is allowed anyway' })
  hint?: string;

  @ApiProperty({ enum: ['lexicon', 'pattern'], description: 'A lexicon term, or a personal-data detector' })
  source: 'lexicon' | 'pattern';

  @ApiProperty({
    enum: FOLDS,
    isArray: true,
    description:
      'The folds the match went through, so a reviewer sees why it matched (empty: the term as written). ' +
      '`pinyin` and `homophone` matches are `review` unless the term says otherwise.',
    example: ['digit_style', 'homophone'],
  })
  via: FoldName[];

  @ApiPropertyOptional({
    enum: ['platform', 'organization'],
    description: 'For lexicon findings: whose lexicon holds the term',
  })
  lexicon?: 'platform' | 'organization';
}

export class CheckResultDto {
  @ApiProperty({
    enum: ['block', 'review', 'flag', 'pass'],
    description: 'The strongest action among the findings; `pass` without any',
  })
  verdict: 'block' | 'review' | 'flag' | 'pass';

  @ApiProperty({ type: CheckFindingDto, isArray: true, description: 'Sorted by start offset' })
  findings: CheckFindingDto[];

  @ApiProperty({
    description: 'The lexicon versions and policy used, e.g. `platform:12,org:3,absolute:review`',
  })
  lexiconVersion: string;
}

export function toCheckFindingDto(finding: FieldFinding): CheckFindingDto {
  const dto: CheckFindingDto = {
    term: finding.term,
    category: finding.category,
    severity: finding.severity,
    action: finding.action,
    start: finding.start,
    end: finding.end,
    matchedText: finding.matchedText,
    source: finding.source,
    via: finding.via,
  };
  if (finding.hint !== undefined) dto.hint = finding.hint;
  if (finding.layer === 'platform' || finding.layer === 'organization') dto.lexicon = finding.layer;
  return dto;
}
