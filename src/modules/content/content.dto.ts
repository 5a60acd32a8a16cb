import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DATE_TIME_MAX_LENGTH } from '../../common/validation';
import { HasNoControlCharacters, HasNoNulCharacters } from '../../common/validation/plain-text';
import { QueryBoolean, Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import { CONTENT_STATES, ContentState } from './content-state';

export const CONTENT_KINDS = ['video', 'image_text', 'article', 'post'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export const ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file'] as const;

/** The platform's own places content can be published to. */
export const PLATFORM_CHANNELS = ['community', 'news', 'help'] as const;
export type PlatformChannel = (typeof PLATFORM_CHANNELS)[number];

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export class AttachmentDto {
  /** Where the file lives; only https (or http for internal storage) URLs are accepted. */
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  url: string;

  @ApiProperty({ enum: ATTACHMENT_TYPES })
  @IsIn(ATTACHMENT_TYPES)
  type: (typeof ATTACHMENT_TYPES)[number];

  /** Size in bytes (at most 4 GiB). */
  @IsInt()
  @Min(1)
  @Max(4 * 1024 ** 3)
  size: number;

  @IsOptional()
  @IsString()
  // RFC 6838: type and subtype names are at most 127 characters each.
  @MaxLength(255)
  @Matches(/^[a-z]+\/[a-z0-9.+-]+$/i, { message: 'mimeType must look like type/subtype' })
  mimeType?: string;
}

export class ContentTargetDto {
  /** `platform`: one of the platform's own channels; `social_account`: an account you may publish to. */
  @ApiProperty({ enum: ['platform', 'social_account'] })
  @IsIn(['platform', 'social_account'])
  kind: 'platform' | 'social_account';

  @ApiPropertyOptional({ enum: PLATFORM_CHANNELS, description: 'Required for `platform`' })
  @ValidateIf((o: ContentTargetDto) => o.kind === 'platform' || o.channel !== undefined)
  @IsIn(PLATFORM_CHANNELS)
  channel?: PlatformChannel;

  /** Required for `social_account`: the brand's account, owned by or authorized to your organization. */
  @ValidateIf((o: ContentTargetDto) => o.kind === 'social_account' || o.accountId !== undefined)
  @IsUUID()
  accountId?: string;
}

export class CreateContentDto {
  @ApiProperty({ enum: CONTENT_KINDS })
  @IsIn(CONTENT_KINDS)
  kind: ContentKind;

  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  title: string;

  /** The text (plain text or Markdown), up to 100,000 characters. */
  @IsString()
  @MaxLength(100_000)
  @HasNoNulCharacters()
  body: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];

  /** A category slug, e.g. `beauty` or `food-reviews`. */
  @IsOptional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 32, { each: true })
  @HasNoControlCharacters({ each: true })
  tags?: string[];

  /** When to publish once approved; omit (or null) to publish as soon as it is approved. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  publishAt?: string | null;

  /** The unit the content belongs to; the author's primary unit when omitted. */
  @IsOptional()
  @IsUUID()
  unitId?: string;

  @ValidateNested()
  @Type(() => ContentTargetDto)
  target: ContentTargetDto;
}

/** Every field optional; the kind and unit stay as created. */
export class UpdateContentDto extends PartialType(OmitType(CreateContentDto, ['kind', 'unitId'] as const)) {}

/** What platform editors may correct: the text, never where or when it goes. */
export class CorrectContentDto extends PartialType(
  OmitType(CreateContentDto, ['kind', 'unitId', 'target', 'publishAt'] as const),
) {}

export class ListContentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CONTENT_STATES })
  @IsOptional()
  @IsIn(CONTENT_STATES)
  state?: ContentState;

  @ApiPropertyOptional({ enum: CONTENT_KINDS })
  @IsOptional()
  @IsIn(CONTENT_KINDS)
  kind?: ContentKind;

  @IsOptional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @IsOptional()
  @IsUUID()
  accountId?: string;

  /** Sort key: `createdAt` (default, newest first) or `updatedAt`, `-` prefix for descending. */
  @IsOptional()
  @IsIn(['createdAt', '-createdAt', 'updatedAt', '-updatedAt'])
  sort?: string;
}

export class PlatformListContentsQueryDto extends ListContentsQueryDto {
  /** Only this organization's content. */
  @IsOptional()
  @IsUUID()
  orgId?: string;

  @ApiPropertyOptional({ enum: PLATFORM_CHANNELS })
  @IsOptional()
  @IsIn(PLATFORM_CHANNELS)
  channel?: PlatformChannel;

  /** Case-insensitive substring of the title. */
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  q?: string;
}

export class FindingDto {
  @ApiProperty({ description: 'The lexicon term or the kind of private data found' })
  term: string;

  @ApiProperty({ example: 'advertising.absolute_term' })
  category: string;

  @ApiProperty({ enum: ['low', 'medium', 'high'] })
  severity: string;

  @ApiProperty({ enum: ['block', 'review', 'flag'] })
  action: string;

  @ApiProperty({ enum: ['title', 'body'], description: 'Which field the offsets point into' })
  field: string;

  @ApiProperty({ description: 'UTF-16 offset of the first character in the original text' })
  start: number;

  @ApiProperty({ description: 'UTF-16 offset just past the last character' })
  end: number;

  @ApiProperty({ description: 'The original text between start and end' })
  matchedText: string;

  @ApiPropertyOptional({ description: 'When the term is allowed anyway (Advertising Law exceptions)' })
  hint?: string;
}

export class ContentTargetViewDto {
  @ApiProperty({ enum: ['platform', 'social_account'] })
  kind: 'platform' | 'social_account';

  @ApiPropertyOptional({ enum: PLATFORM_CHANNELS, nullable: true, type: String })
  channel: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  accountId: string | null;
}

export class ContentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty({ format: 'uuid' })
  unitId: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  ownerId: string | null;

  @ApiProperty({ enum: CONTENT_KINDS })
  kind: ContentKind;

  @ApiProperty()
  title: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ type: AttachmentDto, isArray: true })
  attachments: AttachmentDto[];

  @ApiProperty({ type: String, nullable: true })
  category: string | null;

  @ApiProperty({ type: String, isArray: true })
  tags: string[];

  @ApiProperty({ type: ContentTargetViewDto })
  target: ContentTargetViewDto;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishAt: string | null;

  @ApiProperty({ enum: CONTENT_STATES })
  state: ContentState;

  @ApiProperty({ format: 'date-time' })
  stateChangedAt: string;

  @ApiProperty({ description: 'Revision number of the current text' })
  revision: number;

  @ApiProperty({ type: FindingDto, isArray: true, description: 'Findings of the last automatic review' })
  findings: FindingDto[];

  @ApiProperty()
  sortWeight: number;

  @ApiProperty()
  recommended: boolean;

  @ApiProperty()
  featured: boolean;

  @ApiProperty({ description: 'Pinned now (a pin past its end time reads as false)' })
  pinned: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  pinnedUntil: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last publish attempt failed' })
  lastPublishError: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  removedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  removalReasonCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  removalNote: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class SubmitResultDto {
  @ApiProperty({ type: ContentDto })
  content: ContentDto;

  @ApiProperty({
    enum: ['rejected', 'organization_review', 'platform_review', 'approved'],
    description: 'Where automatic review sent the content',
  })
  outcome: 'rejected' | 'organization_review' | 'platform_review' | 'approved';

  @ApiProperty({ type: FindingDto, isArray: true })
  findings: FindingDto[];
}

export class EditorialDto {
  @IsOptional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  /** Higher sorts first within a category (after pinned items). */
  @IsOptional()
  @IsInt()
  @Min(-1_000_000)
  @Max(1_000_000)
  sortWeight?: number;

  @IsOptional()
  @IsBoolean()
  recommended?: boolean;

  /** 加精. */
  @IsOptional()
  @IsBoolean()
  featured?: boolean;

  /** 置顶. */
  @IsOptional()
  @IsBoolean()
  pinned?: boolean;

  /** Unpins by itself at this time; null pins without end. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  pinnedUntil?: string | null;
}

export class PublicListQueryDto extends PageQueryDto {
  @IsOptional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  @ApiPropertyOptional({ enum: PLATFORM_CHANNELS })
  @IsOptional()
  @IsIn(PLATFORM_CHANNELS)
  channel?: PlatformChannel;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  recommended?: boolean;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  featured?: boolean;
}

/** What anyone may see of published platform content: the text and how it is listed, not who or how. */
export class PublicContentDto extends PickType(ContentDto, [
  'id',
  'kind',
  'title',
  'body',
  'attachments',
  'category',
  'tags',
  'recommended',
  'featured',
  'pinned',
  'sortWeight',
] as const) {
  @ApiProperty({ enum: PLATFORM_CHANNELS })
  channel: string;

  @ApiProperty({ format: 'date-time' })
  publishedAt: string;
}

export class ContentRevisionDto {
  @ApiProperty()
  revision: number;

  @ApiProperty()
  title: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ type: AttachmentDto, isArray: true })
  attachments: AttachmentDto[];

  @ApiProperty({ type: String, nullable: true })
  category: string | null;

  @ApiProperty({ type: String, isArray: true })
  tags: string[];

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  editedBy: string | null;

  @ApiProperty({ enum: ['author', 'editor', 'platform'], description: 'Whose hand the revision is' })
  editorRole: 'author' | 'editor' | 'platform';

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
