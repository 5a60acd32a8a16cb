import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { NestedArray, NestedObject, Optional } from '../../common/validation';
import { PageQueryDto } from '../../platform/http/pagination';
import { MessageAttachmentDto, MessageAttachmentViewDto } from './message.dto';
import { AFTER_SALES_KINDS, AfterSalesKind, ContactDto, TICKET_TYPES, TicketType } from './ticket.dto';
import { TICKET_STATES, TicketState } from './ticket-state';

export class ChallengeDto {
  @ApiProperty({ description: 'Signed challenge, valid for a few minutes and usable once' })
  token: string;

  @ApiProperty({ example: 'What is 7 + 5?' })
  question: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

export class ChallengeAnswerDto {
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, { message: 'token is not a challenge token' })
  token: string;

  @Matches(/^-?[0-9]{1,4}$/, { message: 'answer must be a whole number' })
  answer: string;
}

export class PublicCreateTicketDto {
  @Trim()
  @IsString()
  @Length(1, 200)
  @HasNoControlCharacters()
  subject: string;

  @IsString()
  @Length(1, 20_000)
  description: string;

  @ApiPropertyOptional({ enum: TICKET_TYPES, default: 'consultation' })
  @Optional()
  @IsIn(TICKET_TYPES)
  type?: TicketType;

  @ApiPropertyOptional({
    enum: AFTER_SALES_KINDS,
    description: 'Required for `after_sales`, refused otherwise',
  })
  @ValidateIf((o: PublicCreateTicketDto) => o.type === 'after_sales' || o.afterSalesKind !== undefined)
  @IsIn(AFTER_SALES_KINDS)
  afterSalesKind?: AfterSalesKind;

  /** How to reach you: an email or a phone number at least. */
  @NestedObject(() => ContactDto)
  contact: ContactDto;

  @Optional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:\-/#]{0,99}$/, { message: 'orderRef must be a reference' })
  orderRef?: string;

  @Optional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:\-/#]{0,99}$/, { message: 'productRef must be a reference' })
  productRef?: string;

  /** The solved challenge; not needed with a partner's `X-API-Key`. */
  @Optional()
  @NestedObject(() => ChallengeAnswerDto)
  challenge?: ChallengeAnswerDto;
}

export class PublicTicketCreatedDto {
  @ApiProperty({ format: 'uuid' })
  ticketId: string;

  @ApiProperty({ enum: TICKET_STATES })
  state: TicketState;

  @ApiProperty({
    description:
      'Secret of the per-ticket link: read and reply at /api/v1/public/tickets/{ticketLink}/messages',
  })
  replyToken: string;
}

export class PublicReplyDto {
  @IsString()
  @Length(1, 20_000)
  body: string;

  @Optional()
  @ArrayMaxSize(20)
  @NestedArray(() => MessageAttachmentDto)
  attachments?: MessageAttachmentDto[];
}

export class PublicThreadQueryDto extends PageQueryDto {}

export class PublicTicketMessageDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['agent', 'customer'], description: 'Who wrote it; internal notes are never shown' })
  from: 'agent' | 'customer';

  @ApiProperty()
  body: string;

  @ApiProperty({ type: MessageAttachmentViewDto, isArray: true })
  attachments: MessageAttachmentViewDto[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class PublicReplyResultDto {
  @ApiProperty({ format: 'uuid', description: 'The ticket the reply went to' })
  ticketId: string;

  @ApiProperty({ enum: TICKET_STATES })
  state: TicketState;

  @ApiProperty({
    enum: ['added', 'reopened', 'new_ticket'],
    description:
      '`reopened`: the ticket was resolved less than 7 days ago; `new_ticket`: it was resolved earlier or ' +
      'closed, so the reply opened a new ticket linked to it (use the new `replyToken` from now on)',
  })
  outcome: 'added' | 'reopened' | 'new_ticket';

  @ApiProperty()
  replyToken: string;
}
