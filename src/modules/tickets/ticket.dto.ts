import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { IsDateTime, NestedArray, NestedObject, Nullable, Optional } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';
import { TicketSlaSummaryDto } from './ticket-sla-view';
import { TICKET_ACTIONS, TICKET_STATES, TicketAction, TicketState } from './ticket-state';

export const TICKET_TYPES = ['consultation', 'complaint', 'after_sales'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];
export const AFTER_SALES_KINDS = ['repair', 'replace', 'return', 'usage_guidance', 'parts'] as const;
export type AfterSalesKind = (typeof AFTER_SALES_KINDS)[number];
export const TICKET_CHANNELS = ['phone', 'web', 'email', 'douyin_dm', 'wechat', 'api'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const IDENTITY_METHODS = [
  'account_login',
  'order_number',
  'phone_verification',
  'not_needed',
] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

/** An external reference (order number, campaign or ad id): printable, no spaces at the ends. */
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:\-/#]{0,99}$/;

/** How to reach the customer; also what a CRM profile is found or created from. */
export class ContactDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  company?: string;

  /** Digits, spaces, `+` and `-`, as people type phone numbers. */
  @Optional()
  @Matches(/^\+?[0-9][0-9 -]{4,29}$/, { message: 'phone must be a phone number' })
  phone?: string;

  @Optional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @Optional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'douyinId must be a Douyin id' })
  douyinId?: string;

  @Optional()
  @Matches(/^[A-Za-z][A-Za-z0-9_-]{4,63}$/, { message: 'wechatId must be a WeChat id' })
  wechatId?: string;
}

export class PartRequestDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  @Optional()
  @Matches(REFERENCE, { message: 'partNumber must be a reference' })
  partNumber?: string;

  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity: number;
}

class TicketDetailsDto {
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  subject: string;

  /** What the customer needs, as recorded by the agent (up to 20,000 characters). */
  @Optional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, default: 'normal' })
  @Optional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 32, { each: true })
  @HasNoControlCharacters({ each: true })
  tags?: string[];

  /** The brand organization the ticket concerns (an agency serving a brand's customers). */
  @Nullable()
  @IsUUID()
  brandOrgId?: string | null;

  /** A managed social account the ticket concerns; you must be able to see it. */
  @Nullable()
  @IsUUID()
  socialAccountId?: string | null;

  @Nullable()
  @Matches(REFERENCE, { message: 'orderRef must be a reference' })
  orderRef?: string | null;

  /** A campaign id, as a plain reference. */
  @Nullable()
  @Matches(REFERENCE, { message: 'campaignRef must be a reference' })
  campaignRef?: string | null;

  /** An ad id, as a plain reference. */
  @Nullable()
  @Matches(REFERENCE, { message: 'adRef must be a reference' })
  adRef?: string | null;

  /** After-sales only: the product concerned (SKU or model). */
  @Nullable()
  @Matches(REFERENCE, { message: 'productRef must be a reference' })
  productRef?: string | null;

  /** After-sales only: the proposed solution. */
  @Nullable()
  @IsString()
  @MaxLength(5_000)
  solution?: string | null;

  /** After-sales only: parts requested. */
  @Optional()
  @ArrayMaxSize(50)
  @NestedArray(() => PartRequestDto)
  parts?: PartRequestDto[];
}

export class CreateTicketDto extends TicketDetailsDto {
  @ApiProperty({ enum: TICKET_TYPES })
  @IsIn(TICKET_TYPES)
  type: TicketType;

  @ApiPropertyOptional({
    enum: AFTER_SALES_KINDS,
    description: 'Required for `after_sales`, refused otherwise',
  })
  @ValidateIf((o: CreateTicketDto) => o.type === 'after_sales' || o.afterSalesKind !== undefined)
  @IsIn(AFTER_SALES_KINDS)
  afterSalesKind?: AfterSalesKind;

  @ApiProperty({ enum: TICKET_CHANNELS })
  @IsIn(TICKET_CHANNELS)
  channel: TicketChannel;

  /** An existing customer profile of the organization; or give `contact` to find or create one. */
  @Optional()
  @IsUUID()
  customerId?: string;

  @Optional()
  @NestedObject(() => ContactDto)
  contact?: ContactDto;

  /** The unit whose queue holds the ticket; your primary unit when omitted. */
  @Optional()
  @IsUUID()
  unitId?: string;

  /** Assign at once (needs `tickets:assign`); else the queue's auto-assignment applies. */
  @Optional()
  @IsUUID()
  assigneeId?: string;
}

/** Every field optional; type, channel, customer and queue change through their own routes or not at all. */
export class UpdateTicketDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  subject?: string;

  @Optional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @Optional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 32, { each: true })
  @HasNoControlCharacters({ each: true })
  tags?: string[];

  @Nullable()
  @IsUUID()
  brandOrgId?: string | null;

  @Nullable()
  @IsUUID()
  socialAccountId?: string | null;

  @Nullable()
  @Matches(REFERENCE, { message: 'orderRef must be a reference' })
  orderRef?: string | null;

  @Nullable()
  @Matches(REFERENCE, { message: 'campaignRef must be a reference' })
  campaignRef?: string | null;

  @Nullable()
  @Matches(REFERENCE, { message: 'adRef must be a reference' })
  adRef?: string | null;

  @Nullable()
  @Matches(REFERENCE, { message: 'productRef must be a reference' })
  productRef?: string | null;

  @Nullable()
  @IsString()
  @MaxLength(5_000)
  solution?: string | null;

  @Optional()
  @ArrayMaxSize(50)
  @NestedArray(() => PartRequestDto)
  parts?: PartRequestDto[];

  @ApiPropertyOptional({ enum: AFTER_SALES_KINDS, description: 'After-sales tickets only' })
  @Optional()
  @IsIn(AFTER_SALES_KINDS)
  afterSalesKind?: AfterSalesKind;
}

export class ListTicketsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATES })
  @Optional()
  @IsIn(TICKET_STATES)
  state?: TicketState;

  @ApiPropertyOptional({ enum: TICKET_TYPES })
  @Optional()
  @IsIn(TICKET_TYPES)
  type?: TicketType;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @Optional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  /** A member's user id, or `none` for unassigned tickets. */
  @Optional()
  @ValidateIf((o: ListTicketsQueryDto) => o.assigneeId !== 'none')
  @IsUUID()
  assigneeId?: string;

  @Optional()
  @IsUUID()
  unitId?: string;

  @Optional()
  @IsUUID()
  customerId?: string;

  @Optional()
  @IsString()
  @Length(1, 32)
  @HasNoControlCharacters()
  tag?: string;

  /** Created at or after. */
  @Optional()
  @IsDateTime()
  createdFrom?: string;

  /** Created before. */
  @Optional()
  @IsDateTime()
  createdTo?: string;

  /** Sort key: `createdAt` (default, newest first) or `updatedAt`, `-` prefix for descending. */
  @Optional()
  @IsIn(['createdAt', '-createdAt', 'updatedAt', '-updatedAt'])
  sort?: string;
}

export class TicketActionParamsDto {
  @ApiProperty({ enum: TICKET_ACTIONS })
  @IsIn(TICKET_ACTIONS)
  action: TicketAction;
}

export class TicketTransitionDto {
  /** Why; required to escalate (what the agent cannot solve), optional otherwise. */
  @ValidateIf((o: TicketTransitionDto, value) => value !== undefined)
  @Trim()
  @IsString()
  @Length(1, 1000)
  @HasNoControlCharacters()
  reason?: string;
}

export class AssignTicketDto {
  /** The member to hold the ticket (must hold `tickets:write` over the ticket's unit); null back to the queue. */
  @Nullable()
  @IsUUID()
  assigneeId?: string | null;

  /** Move the ticket to this unit's queue (auto-assignment of that queue applies when no assignee is given). */
  @Optional()
  @IsUUID()
  unitId?: string;
}

export class IdentityCheckDto {
  @ApiProperty({ enum: IDENTITY_METHODS })
  @IsIn(IDENTITY_METHODS)
  method: IdentityMethod;

  /** Required for `not_needed` (why no check was needed); otherwise what was checked (e.g. the order number). */
  @ValidateIf((o: IdentityCheckDto, value) => o.method === 'not_needed' || value !== undefined)
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  reason?: string;
}

export class TicketCustomerDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  tier: string | null;
}

export class ContactViewDto {
  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ type: String, nullable: true })
  company: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone: string | null;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  @ApiProperty({ type: String, nullable: true })
  douyinId: string | null;

  @ApiProperty({ type: String, nullable: true })
  wechatId: string | null;
}

export class PartViewDto {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  partNumber: string | null;

  @ApiProperty()
  quantity: number;
}

export class IdentityCheckViewDto {
  @ApiProperty({ enum: IDENTITY_METHODS })
  method: IdentityMethod;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  checkedBy: string | null;

  @ApiProperty({ format: 'date-time' })
  checkedAt: string;
}

export class TicketDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty({ format: 'uuid', description: 'The unit whose queue holds the ticket' })
  unitId: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  assigneeId: string | null;

  @ApiProperty({ enum: TICKET_TYPES })
  type: TicketType;

  @ApiProperty({ enum: AFTER_SALES_KINDS, type: String, nullable: true })
  afterSalesKind: AfterSalesKind | null;

  @ApiProperty({ enum: TICKET_CHANNELS })
  channel: TicketChannel;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  customerId: string | null;

  @ApiProperty({ type: ContactViewDto })
  contact: ContactViewDto;

  @ApiProperty()
  subject: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: TICKET_PRIORITIES })
  priority: TicketPriority;

  @ApiProperty({ type: String, isArray: true })
  tags: string[];

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  brandOrgId: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  socialAccountId: string | null;

  @ApiProperty({ type: String, nullable: true })
  orderRef: string | null;

  @ApiProperty({ type: String, nullable: true })
  campaignRef: string | null;

  @ApiProperty({ type: String, nullable: true })
  adRef: string | null;

  @ApiProperty({ type: String, nullable: true })
  productRef: string | null;

  @ApiProperty({ type: String, nullable: true })
  solution: string | null;

  @ApiProperty({ type: PartViewDto, isArray: true })
  parts: PartViewDto[];

  @ApiProperty({ enum: TICKET_STATES })
  state: TicketState;

  @ApiProperty({ format: 'date-time' })
  stateChangedAt: string;

  @ApiProperty({ enum: TICKET_ACTIONS, isArray: true, description: 'The moves the state table allows now' })
  allowedActions: TicketAction[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({
    format: 'uuid',
    type: String,
    nullable: true,
    description: 'The earlier ticket a late customer reply continued',
  })
  previousTicketId: string | null;

  @ApiProperty({ type: IdentityCheckViewDto, nullable: true })
  identityCheck: IdentityCheckViewDto | null;

  /**
   * The ticket's SLA now: policy, due times, whether the clock is paused and the minutes left of each
   * running target. Null when no SLA is kept for the ticket.
   */
  @ApiProperty({ type: TicketSlaSummaryDto, nullable: true })
  sla: TicketSlaSummaryDto | null;

  @ApiProperty({ enum: ['member', 'api_key', 'public'] })
  source: 'member' | 'api_key' | 'public';

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class TicketEventDto {
  @ApiProperty()
  action: string;

  @ApiProperty({ enum: TICKET_STATES, type: String, nullable: true })
  fromState: TicketState | null;

  @ApiProperty({ enum: TICKET_STATES })
  toState: TicketState;

  @ApiProperty({ enum: ['user', 'api_key', 'customer', 'system'] })
  actorKind: 'user' | 'api_key' | 'customer' | 'system';

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  actorUserId: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  at: string;
}
