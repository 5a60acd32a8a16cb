import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { QueryBoolean, Trim } from '../../common/validation/transforms';
import { NestedArray, Nullable, Optional } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';
import { CONTACT_KINDS, ContactKind } from './contact-points';
import { CUSTOMER_KINDS, CUSTOMER_TIERS, CustomerKind, CustomerTier } from './customer.types';

/** Ten trillion yuan in fen: far above any real value, well inside a JavaScript safe integer. */
export const MAX_LIFETIME_VALUE_FEN = 1_000_000_000_000_000;
export const MAX_TAGS = 30;
const TAG = /^[\p{L}\p{N}_-]{1,50}$/u;
const TAG_MESSAGE = 'each tag is 1-50 letters, digits, _ or -';

export class ContactPointInputDto {
  @ApiProperty({ enum: CONTACT_KINDS })
  @IsIn(CONTACT_KINDS)
  kind: ContactKind;

  /**
   * A phone (CN mobile, or E.164 with +), an email, a Douyin / WeChat id, or the customer's analytics
   * `userId` (kind `analytics`, 1–128 characters, which links the profile's purchases); stored normalised.
   */
  @Trim()
  @IsString()
  @Length(1, 320)
  value: string;

  /** Make it the primary point of its kind (the first of a kind always is). */
  @Optional()
  @IsBoolean()
  primary?: boolean;
}

export class CreateCustomerDto {
  @ApiProperty({ enum: CUSTOMER_KINDS })
  @IsIn(CUSTOMER_KINDS)
  kind: CustomerKind;

  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  displayName: string;

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  companyName?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_TIERS, default: 'normal' })
  @Optional()
  @IsIn(CUSTOMER_TIERS)
  tier?: CustomerTier;

  @Optional()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  /** The unit the profile belongs to (data scope); default: your primary unit. */
  @Optional()
  @IsUUID()
  unitId?: string;

  /** The member who owns (cares for) the customer; default: you. `null` for nobody. */
  @Nullable()
  @IsUUID()
  ownerId?: string | null;

  @Optional()
  @IsBoolean()
  consentMarketing?: boolean;

  @Optional()
  @IsBoolean()
  consentDataProcessing?: boolean;

  /** Entered by hand, integer fen; shown while the profile has no analytics purchases. */
  @ApiPropertyOptional({ type: 'integer', format: 'int64', minimum: 0, maximum: MAX_LIFETIME_VALUE_FEN })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(MAX_LIFETIME_VALUE_FEN)
  lifetimeValueFen?: number;

  @Optional()
  @ArrayMaxSize(20)
  @NestedArray(() => ContactPointInputDto)
  contactPoints?: ContactPointInputDto[];
}

export class UpdateCustomerDto {
  @ApiPropertyOptional({ enum: CUSTOMER_KINDS })
  @Optional()
  @IsIn(CUSTOMER_KINDS)
  kind?: CustomerKind;

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  displayName?: string;

  /** `null` clears it. */
  @Nullable()
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  companyName?: string | null;

  @ApiPropertyOptional({ enum: CUSTOMER_TIERS })
  @Optional()
  @IsIn(CUSTOMER_TIERS)
  tier?: CustomerTier;

  /** Replaces the tags. */
  @Optional()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  @Optional()
  @IsUUID()
  unitId?: string;

  /** `null` leaves the customer without an owner. */
  @Nullable()
  @IsUUID()
  ownerId?: string | null;

  @Optional()
  @IsBoolean()
  consentMarketing?: boolean;

  @Optional()
  @IsBoolean()
  consentDataProcessing?: boolean;

  @ApiPropertyOptional({ type: 'integer', format: 'int64', minimum: 0, maximum: MAX_LIFETIME_VALUE_FEN })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(MAX_LIFETIME_VALUE_FEN)
  lifetimeValueFen?: number;
}

export class ListCustomersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CUSTOMER_TIERS })
  @Optional()
  @IsIn(CUSTOMER_TIERS)
  tier?: CustomerTier;

  /** Customers carrying this tag. */
  @Optional()
  @IsString()
  @Matches(TAG, { message: TAG_MESSAGE })
  tag?: string;

  /** Members of this segment (its rule, evaluated now). */
  @Optional()
  @IsUUID()
  segment?: string;

  /** `me` or a member id. */
  @Optional()
  @Matches(/^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'ownerId must be "me" or a UUID',
  })
  ownerId?: string;

  @Optional()
  @IsUUID()
  unitId?: string;

  /** A case-insensitive part of the name or company, or an exact phone, email, Douyin or WeChat id. */
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  q?: string;

  /** `createdAt` (default `-createdAt`, newest first) or `displayName`. */
  @Optional()
  @IsIn(['createdAt', '-createdAt', 'displayName', '-displayName'])
  sort?: string;

  /**
   * Phones and emails in clear for the customers within your `customers:read-pii` scope (each item's
   * `masked` says which); 403 when you hold `customers:read-pii` nowhere. Each unmasked customer is recorded.
   */
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  unmasked?: boolean;
}

export class SegmentMembersQueryDto extends PageQueryDto {
  /**
   * Phones and emails in clear for the members within your `customers:read-pii` scope (each item's
   * `masked` says which); 403 when you hold `customers:read-pii` nowhere. Each unmasked customer is recorded.
   */
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  unmasked?: boolean;
}

export class GetCustomerQueryDto {
  /** Phones and emails in clear; needs `customers:read-pii` over the customer (403 otherwise). The read is recorded. */
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  unmasked?: boolean;
}

export class MergeCustomerDto {
  /** The profile merged into this one; it answers as this one afterwards. */
  @IsUUID()
  sourceId: string;
}

export class ContactPointDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: CONTACT_KINDS })
  kind: ContactKind;

  @ApiProperty({
    description: 'Phones and emails masked (138****0000, a***@example.com) unless read unmasked',
  })
  value: string;

  @ApiProperty()
  primary: boolean;
}

export class CustomerDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: CUSTOMER_KINDS })
  kind: CustomerKind;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ type: String, nullable: true })
  companyName: string | null;

  @ApiProperty({ description: 'One of vip, key, normal' })
  tier: string;

  @ApiProperty({ type: String, isArray: true })
  tags: string[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  unitId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  ownerId: string | null;

  @ApiProperty()
  consentMarketing: boolean;

  @ApiProperty()
  consentDataProcessing: boolean;

  /**
   * Integer fen. The sum of the `purchase` events of the profile's analytics user ids (its `analytics`
   * contact points, including those of profiles merged into it) when there are any, else the entered value.
   */
  @ApiProperty({ type: 'integer', format: 'int64' })
  lifetimeValueFen: number;

  /** Where `lifetimeValueFen` comes from: `analytics` purchases, or the `entered` value. */
  @ApiProperty({ enum: ['analytics', 'entered'] })
  lifetimeValueSource: 'analytics' | 'entered';

  /** The value entered by hand (create, edit, summed by merges), integer fen, whatever the source shown. */
  @ApiProperty({ type: 'integer', format: 'int64' })
  enteredLifetimeValueFen: number;

  /** How many analytics purchases `lifetimeValueFen` sums; 0 when the entered value is shown. */
  @ApiProperty({ type: 'integer' })
  analyticsPurchases: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastContactAt: string | null;

  @ApiProperty({ type: ContactPointDto, isArray: true })
  contactPoints: ContactPointDto[];

  @ApiProperty({ description: 'True when phones and emails are masked in this answer' })
  masked: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class CustomerHistoryQueryDto extends PageQueryDto {}

export class CustomerHistoryEntryDto {
  @ApiProperty({ description: 'Unique within its source' })
  id: string;

  @ApiProperty({ description: 'Who contributed it: `customers` now, e.g. `tickets` once registered' })
  source: string;

  @ApiProperty({
    description: 'e.g. customer.created, customer.updated, customer.merged, customer.care_contact',
  })
  kind: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The profile it happened to (a merged profile shows its own id)',
  })
  customerId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorUserId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;
}
