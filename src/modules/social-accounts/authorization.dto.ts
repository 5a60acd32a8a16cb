import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { DATE_TIME_MAX_LENGTH } from '../../common/validation';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { PageQueryDto } from '../../platform/http/pagination';
import {
  AUTHORIZATION_SCOPES,
  AuthorizationScope,
  SOCIAL_PLATFORMS,
  SocialPlatform,
} from './social-account.types';

export const AUTHORIZATION_STATUSES = ['offered', 'active', 'declined', 'revoked', 'expired'] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

export class OfferAuthorizationDto {
  /** The agency organization offered access. */
  @IsUUID()
  agencyOrgId: string;

  /** The brand's accounts the agency may operate (at most 100 per authorization). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  accountIds: string[];

  @ApiProperty({ enum: AUTHORIZATION_SCOPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(AUTHORIZATION_SCOPES, { each: true })
  scopes: AuthorizationScope[];

  /** Start of validity; now when omitted. */
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  validFrom?: string;

  /** End of validity (exclusive): access ends on the first request at or after it. */
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  validUntil: string;

  /** A note to the agency, e.g. the contract number. */
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  note?: string;
}

export class RevokeAuthorizationDto {
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  reason?: string;
}

export class ListAuthorizationsQueryDto extends PageQueryDto {
  /**
   * `granted`: authorizations this organization gave (brand side); `received`: those it got (agency side).
   * Defaults to `granted` for brands and `received` for agencies.
   */
  @IsOptional()
  @IsIn(['granted', 'received'])
  direction?: 'granted' | 'received';

  /** Current status; `expired` includes authorizations whose end passed but no job has marked yet. */
  @ApiPropertyOptional({ enum: AUTHORIZATION_STATUSES })
  @IsOptional()
  @IsIn(AUTHORIZATION_STATUSES)
  status?: AuthorizationStatus;

  /** Only authorizations covering this account. */
  @IsOptional()
  @IsUUID()
  accountId?: string;

  /** Only those with this counterpart organization (the agency for `granted`, the brand for `received`). */
  @IsOptional()
  @IsUUID()
  counterpartOrgId?: string;
}

export class AuthorizedAccountDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: SOCIAL_PLATFORMS })
  platform: SocialPlatform;

  @ApiProperty()
  handle: string;

  @ApiProperty()
  displayName: string;
}

export class AuthorizationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  brandOrgId: string;

  @ApiProperty()
  brandName: string;

  @ApiProperty({ format: 'uuid' })
  agencyOrgId: string;

  @ApiProperty()
  agencyName: string;

  @ApiProperty({ type: AuthorizedAccountDto, isArray: true })
  accounts: AuthorizedAccountDto[];

  @ApiProperty({ enum: AUTHORIZATION_SCOPES, isArray: true })
  scopes: AuthorizationScope[];

  @ApiProperty({ format: 'date-time' })
  validFrom: string;

  @ApiProperty({ format: 'date-time' })
  validUntil: string;

  @ApiProperty({
    enum: AUTHORIZATION_STATUSES,
    description: 'An offered or active authorization whose end has passed reads as `expired`',
  })
  status: AuthorizationStatus;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  offeredBy: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  decidedBy: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  decidedAt: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  revokedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  revokeReason: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
