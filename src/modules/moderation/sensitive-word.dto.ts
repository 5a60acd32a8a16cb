import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, Length, Matches } from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { QueryBoolean, Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import { type Action, pinyinByDefault, type Severity } from './engine';
import { SensitiveWord } from './sensitive-word.entity';
import { Nullable, Optional } from '../../common/validation';

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];
export const ACTIONS: readonly Action[] = ['block', 'review', 'flag'];
export const MAX_ALLOW_PHRASES = 20;

const CATEGORY = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;
const CATEGORY_MESSAGE =
  'category must be lower-case words joined by dots, e.g. `fraud` or `advertising.claim`';

/** Trims each string of an array (leaving anything else for the type checks to report). */
const TrimEach = () =>
  Transform(({ value }: { value: unknown }) =>
    Array.isArray(value)
      ? value.map((item: unknown) => (typeof item === 'string' ? item.trim() : item))
      : value,
  );

export class CreateSensitiveWordDto {
  /** The term as people write it; case, width, traditional characters and symbols between characters don't matter. */
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  term: string;

  /** A lower-case code such as `fraud`, `gambling` or `advertising.absolute_term`. */
  @Trim()
  @IsString()
  @Length(1, 64)
  @Matches(CATEGORY, { message: CATEGORY_MESSAGE })
  category: string;

  @ApiProperty({ enum: SEVERITIES })
  @IsIn(SEVERITIES)
  severity: Severity;

  /** `block` rejects content, `review` sends it to a person, `flag` only marks it. */
  @ApiProperty({ enum: ACTIONS })
  @IsIn(ACTIONS)
  action: Action;

  /** Longer phrases that contain the term innocently (最佳赏味期 for 最佳). Each must contain the term. */
  @Optional()
  @TrimEach()
  @IsArray()
  @ArrayMaxSize(MAX_ALLOW_PHRASES)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  @HasNoControlCharacters({ each: true })
  allowPhrases?: string[];

  /** Shown with a finding: why the term matters and when it is allowed anyway. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @Nullable()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  hint?: string | null;

  /**
   * Whether the term also matches by sound: its pinyin written out (zuijia, zui jia, 加weixin) and its
   * homophones (醉佳 for 最佳). Omitted or null: the category's default (on for `contact_diversion`,
   * `fraud` and `gambling` and their sub-categories, off otherwise).
   */
  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @Nullable()
  @IsBoolean()
  pinyin?: boolean | null;

  /**
   * The action of a match by sound. Omitted or null: `review` (`flag` for a term whose action is
   * `flag`): a homophone is a guess, so it blocks only when this says so.
   */
  @ApiPropertyOptional({ enum: ACTIONS, nullable: true })
  @Nullable()
  @IsIn(ACTIONS)
  pinyinAction?: Action | null;
}

export class UpdateSensitiveWordDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  term?: string;

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 64)
  @Matches(CATEGORY, { message: CATEGORY_MESSAGE })
  category?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @Optional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ enum: ACTIONS })
  @Optional()
  @IsIn(ACTIONS)
  action?: Action;

  /** Replaces the list; `[]` removes every allow phrase. */
  @Optional()
  @TrimEach()
  @IsArray()
  @ArrayMaxSize(MAX_ALLOW_PHRASES)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  @HasNoControlCharacters({ each: true })
  allowPhrases?: string[];

  /** `null` removes the hint. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @Nullable()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  hint?: string | null;

  /** `null` returns to the category's default. */
  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @Nullable()
  @IsBoolean()
  pinyin?: boolean | null;

  /** `null` returns to the default (`review`, or `flag` for a flag term). */
  @ApiPropertyOptional({ enum: ACTIONS, nullable: true })
  @Nullable()
  @IsIn(ACTIONS)
  pinyinAction?: Action | null;
}

export class ListSensitiveWordsQueryDto extends PageQueryDto {
  /** Case-insensitive substring of the term. */
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  q?: string;

  @Optional()
  @IsString()
  @Length(1, 64)
  category?: string;

  @ApiPropertyOptional({ enum: ACTIONS })
  @Optional()
  @IsIn(ACTIONS)
  action?: Action;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @Optional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  /** `createdAt` (default `-createdAt`) or `term`; prefix `-` for descending. */
  @Optional()
  @IsString()
  @Length(1, 32)
  sort?: string;
}

export class ImportSensitiveWordsQueryDto {
  /** How to read the body; defaults from its Content-Type (`text/csv` → csv, `text/plain` → lines). */
  @ApiPropertyOptional({ enum: ['lines', 'csv'] })
  @Optional()
  @IsIn(['lines', 'csv'])
  format?: 'lines' | 'csv';

  /** Category of lines (and of CSV rows that leave it empty). */
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 64)
  @Matches(CATEGORY, { message: CATEGORY_MESSAGE })
  category?: string;

  @ApiPropertyOptional({ enum: SEVERITIES, description: 'Severity of lines and rows that leave it empty' })
  @Optional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ enum: ACTIONS, description: 'Action of lines and rows that leave it empty' })
  @Optional()
  @IsIn(ACTIONS)
  action?: Action;

  /** Report what would happen without changing anything. */
  @ApiPropertyOptional({ type: Boolean })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  dryRun?: boolean;
}

export class SensitiveWordDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['platform', 'organization'] })
  lexicon: 'platform' | 'organization';

  @ApiProperty({ format: 'uuid', type: String, nullable: true, description: 'Null in the platform lexicon' })
  orgId: string | null;

  @ApiProperty()
  term: string;

  @ApiProperty()
  category: string;

  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;

  @ApiProperty({ enum: ACTIONS })
  action: Action;

  @ApiProperty({ type: String, isArray: true })
  allowPhrases: string[];

  @ApiProperty({ type: String, nullable: true })
  hint: string | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Whether the term also matches by sound (pinyin, homophones); null: the category default',
  })
  pinyin: boolean | null;

  @ApiProperty({
    description: 'Whether it matches by sound, with the category default applied',
  })
  pinyinEffective: boolean;

  @ApiProperty({
    enum: ACTIONS,
    nullable: true,
    description: 'Action of a match by sound; null: review (flag for a flag term)',
  })
  pinyinAction: Action | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  createdBy: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  updatedBy: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export const toSensitiveWordDto = (word: SensitiveWord): SensitiveWordDto => ({
  id: word.id,
  lexicon: word.orgId === null ? 'platform' : 'organization',
  orgId: word.orgId,
  term: word.term,
  category: word.category,
  severity: word.severity,
  action: word.action,
  allowPhrases: word.allowPhrases,
  hint: word.hint,
  pinyin: word.pinyin,
  pinyinEffective: word.pinyin ?? pinyinByDefault(word.category),
  pinyinAction: word.pinyinAction,
  createdBy: word.createdBy,
  updatedBy: word.updatedBy,
  createdAt: word.createdAt.toISOString(),
  updatedAt: word.updatedAt.toISOString(),
});

export const IMPORT_OUTCOMES = ['created', 'updated', 'skipped'] as const;
export const SKIP_REASONS = [
  'invalid',
  'empty_after_normalization',
  'allow_phrase_mismatch',
  'duplicate_in_file',
  'exists',
  'unchanged',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export class ImportLineResultDto {
  @ApiProperty({ description: 'Line of the file (1-based) where the entry starts' })
  line: number;

  @ApiProperty({ description: 'The term as read from the line (may be empty when the line is invalid)' })
  term: string;

  @ApiProperty({ enum: IMPORT_OUTCOMES })
  result: (typeof IMPORT_OUTCOMES)[number];

  @ApiPropertyOptional({ enum: SKIP_REASONS, description: 'Why a line was skipped' })
  reason?: SkipReason;

  @ApiPropertyOptional({ description: 'What was wrong, for people' })
  message?: string;
}

export class ImportResultDto {
  @ApiProperty({ description: 'True when nothing was changed because `dryRun` was set' })
  dryRun: boolean;

  @ApiProperty()
  created: number;

  @ApiProperty()
  updated: number;

  @ApiProperty()
  skipped: number;

  @ApiProperty({
    type: ImportLineResultDto,
    isArray: true,
    description: 'One entry per term line, in file order',
  })
  lines: ImportLineResultDto[];
}
