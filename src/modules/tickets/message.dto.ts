import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsString, IsUrl, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { NestedArray, Optional } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';

export const MESSAGE_KINDS = ['public_reply', 'internal_note', 'customer_reply'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const CONNECTORS = ['sandbox', 'email'] as const;
export type ConnectorName = (typeof CONNECTORS)[number];

export class MessageAttachmentDto {
  /** Where the file lives: an https URL (no credentials in it). */
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: true, disallow_auth: true })
  url: string;

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  name?: string;
}

export class CreateTicketMessageDto {
  /** `public_reply` goes to the customer through the ticket's channel; `internal_note` stays inside. */
  @ApiProperty({ enum: ['public_reply', 'internal_note'] })
  @IsIn(['public_reply', 'internal_note'])
  kind: 'public_reply' | 'internal_note';

  /** The text; give it or `cannedReplyId`, not both. */
  @ValidateIf((o: CreateTicketMessageDto, value) => value !== undefined || o.cannedReplyId === undefined)
  @IsString()
  @Length(1, 20_000)
  body?: string;

  /** A canned reply of the organization, rendered with the ticket's placeholders. */
  @Optional()
  @IsUUID()
  cannedReplyId?: string;

  @Optional()
  @ArrayMaxSize(20)
  @NestedArray(() => MessageAttachmentDto)
  attachments?: MessageAttachmentDto[];
}

export class ListTicketMessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MESSAGE_KINDS })
  @Optional()
  @IsIn(MESSAGE_KINDS)
  kind?: MessageKind;
}

export class MessageAttachmentViewDto {
  @ApiProperty()
  url: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

export class DeliveryDto {
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description:
      '`pending` until the connector accepted it (failed attempts are retried), `failed` once given up',
  })
  status: DeliveryStatus;

  @ApiProperty({ enum: CONNECTORS })
  connector: ConnectorName;

  @ApiProperty({ description: 'Attempts made so far' })
  attempts: number;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  sentAt: string | null;
}

export class TicketMessageDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  ticketId: string;

  @ApiProperty({ enum: MESSAGE_KINDS })
  kind: MessageKind;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  authorUserId: string | null;

  @ApiProperty()
  body: string;

  @ApiProperty({ type: MessageAttachmentViewDto, isArray: true })
  attachments: MessageAttachmentViewDto[];

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  cannedReplyId: string | null;

  @ApiProperty({ type: DeliveryDto, nullable: true, description: 'Public replies only' })
  delivery: DeliveryDto | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class TicketDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  messageId: string;

  @ApiProperty({ enum: CONNECTORS })
  connector: ConnectorName;

  @ApiProperty()
  channel: string;

  @ApiProperty({ type: String, nullable: true })
  recipient: string | null;

  @ApiProperty()
  subject: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ type: String, nullable: true })
  providerMessageId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
