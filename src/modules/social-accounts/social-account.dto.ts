import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { DATE_TIME_MAX_LENGTH } from '../../common/validation';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import {
  ACCOUNT_STATUSES,
  AccountStatus,
  AUTHORIZATION_SCOPES,
  AuthorizationScope,
  SOCIAL_PLATFORMS,
  SocialPlatform,
} from './social-account.types';

export class CreateSocialAccountDto {
  @ApiProperty({ enum: SOCIAL_PLATFORMS })
  @IsIn(SOCIAL_PLATFORMS)
  platform: SocialPlatform;

  /** The account's public handle (抖音号), e.g. `brand_official`. */
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  handle: string;

  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  displayName: string;

  /** The platform's own id of the account (open_id / uid). Unique per platform. */
  @Trim()
  @IsString()
  @Length(1, 128)
  @Matches(/^[\x21-\x7e]+$/, { message: 'externalUserId must be printable ASCII without spaces' })
  externalUserId: string;

  /** The brand unit that owns the account; scopes of `social-accounts:*` are checked against it. */
  @IsUUID()
  unitId: string;
}

export class UpdateSocialAccountDto {
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  handle?: string;

  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  displayName?: string;

  /** Move the account to another unit of the brand. */
  @IsOptional()
  @IsUUID()
  unitId?: string;

  /** `frozen` stops every agency's use at once; `active` lifts a freeze. Suspension is the platform's. */
  @ApiPropertyOptional({ enum: ['active', 'frozen'] })
  @IsOptional()
  @IsIn(['active', 'frozen'])
  status?: 'active' | 'frozen';

  /** Why the account is frozen; required when freezing. */
  @ValidateIf((o: UpdateSocialAccountDto) => o.status === 'frozen' || o.statusReason !== undefined)
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  statusReason?: string;
}

export class SuspendSocialAccountDto {
  /** The platform's reason, shown to the brand and its agencies. */
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  reason: string;

  /** When the suspension ends by itself; omit for an indefinite suspension. */
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  until?: string;
}

export class ListSocialAccountsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SOCIAL_PLATFORMS })
  @IsOptional()
  @IsIn(SOCIAL_PLATFORMS)
  platform?: SocialPlatform;

  @ApiPropertyOptional({ enum: ACCOUNT_STATUSES })
  @IsOptional()
  @IsIn(ACCOUNT_STATUSES)
  status?: AccountStatus;

  /** Only accounts owned by this unit (brand side). */
  @IsOptional()
  @IsUUID()
  unitId?: string;

  /** `owned` (the caller's organization owns them) or `authorized` (operated under authorization). */
  @IsOptional()
  @IsIn(['owned', 'authorized'])
  ownership?: 'owned' | 'authorized';

  /** Case-insensitive substring of the handle or display name. */
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  q?: string;

  /** Sort key: `createdAt` (default, newest first with `-createdAt`) or `handle`. */
  @IsOptional()
  @IsIn(['createdAt', '-createdAt', 'handle', '-handle'])
  sort?: string;
}

export class SocialAccountDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'The brand organization that owns the account' })
  orgId: string;

  @ApiProperty({ format: 'uuid', description: "The brand's unit; only meaningful to the brand" })
  unitId: string;

  @ApiProperty({ enum: SOCIAL_PLATFORMS })
  platform: SocialPlatform;

  @ApiProperty()
  handle: string;

  @ApiProperty()
  displayName: string;

  @ApiProperty()
  externalUserId: string;

  @ApiProperty({ enum: ACCOUNT_STATUSES, description: 'A suspension past its end date reads as active' })
  status: AccountStatus;

  @ApiProperty({ type: String, nullable: true })
  statusReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  suspendedUntil: string | null;

  @ApiProperty({ enum: ['owned', 'authorized'], description: 'Relative to the organization in the path' })
  ownership: 'owned' | 'authorized';

  @ApiProperty({
    enum: AUTHORIZATION_SCOPES,
    isArray: true,
    description: 'For an agency: the scopes of its active authorizations; empty for the owner',
  })
  authorizedScopes: AuthorizationScope[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
