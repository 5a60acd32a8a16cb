import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { QueryBoolean, Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import { CONTENT_STATES, ContentState } from './content-state';
import { IsDateTime, NestedArray, NestedObject, Nullable, Optional } from '../../common/validation';

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

  @Optional()
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
  body: string;

  @Optional()
  @ArrayMaxSize(50)
  @NestedArray(() => AttachmentDto)
  attachments?: AttachmentDto[];

  /** A category slug, e.g. `beauty` or `food-reviews`. */
  @Optional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 32, { each: true })
  @HasNoControlCharacters({ each: true })
  tags?: string[];

  /** When to publish once approved; omit (or null) to publish as soon as it is approved. */
  @Nullable()
  @IsDateTime()
  publishAt?: string | null;

  /** The unit the content belongs to; the author's primary unit when omitted. */
  @Optional()
  @IsUUID()
  unitId?: string;

  @NestedObject(() => ContentTargetDto)
  target: ContentTargetDto;
}

/** Every field optional; the kind and unit stay as created. */
export class UpdateContentDto extends PartialType(OmitType(CreateContentDto, ['kind', 'unitId'] as const), {
  skipNullProperties: false,
}) {}

/** What platform editors may correct: the text, never where or when it goes. */
export class CorrectContentDto extends PartialType(
  OmitType(CreateContentDto, ['kind', 'unitId', 'target', 'publishAt'] as const),
  { skipNullProperties: false },
) {}

export class ListContentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CONTENT_STATES })
  @Optional()
  @IsIn(CONTENT_STATES)
  state?: ContentState;

  @ApiPropertyOptional({ enum: CONTENT_KINDS })
  @Optional()
  @IsIn(CONTENT_KINDS)
  kind?: ContentKind;

  @Optional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  @Optional()
  @IsUUID()
  ownerId?: string;

  @Optional()
  @IsUUID()
  accountId?: string;

  /** Sort key: `createdAt` (default, newest first) or `updatedAt`, `-` prefix for descending. */
  @Optional()
  @IsIn(['createdAt', '-createdAt', 'updatedAt', '-updatedAt'])
  sort?: string;
}

export class PlatformListContentsQueryDto extends ListContentsQueryDto {
  /** Only this organization's content. */
  @Optional()
  @IsUUID()
  orgId?: string;

  @ApiPropertyOptional({ enum: PLATFORM_CHANNELS })
  @Optional()
  @IsIn(PLATFORM_CHANNELS)
  channel?: PlatformChannel;

  /** Case-insensitive substring of the title. */
  @Optional()
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
  @Optional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  /** Higher sorts first within a category (after pinned items). */
  @Optional()
  @IsInt()
  @Min(-1_000_000)
  @Max(1_000_000)
  sortWeight?: number;

  @Optional()
  @IsBoolean()
  recommended?: boolean;

  /** 加精. */
  @Optional()
  @IsBoolean()
  featured?: boolean;

  /** 置顶. */
  @Optional()
  @IsBoolean()
  pinned?: boolean;

  /** Unpins by itself at this time; null pins without end. */
  @Nullable()
  @IsDateTime()
  pinnedUntil?: string | null;
}

export class PublicListQueryDto extends PageQueryDto {
  @Optional()
  @Matches(SLUG, { message: 'category must be a lowercase slug' })
  category?: string;

  @ApiPropertyOptional({ enum: PLATFORM_CHANNELS })
  @Optional()
  @IsIn(PLATFORM_CHANNELS)
  channel?: PlatformChannel;

  @ApiPropertyOptional({ type: Boolean })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  recommended?: boolean;

  @ApiPropertyOptional({ type: Boolean })
  @Optional()
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
