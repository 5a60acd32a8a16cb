import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate } from '../../platform/http/pagination';
import { OutboxService } from '../../platform/notifications/outbox/outbox.service';
import { OutboxEnvelope } from '../../platform/notifications/outbox/outbox.types';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { renderCannedReply } from './canned-replies.service';
import { TicketConnectors } from './ticket-connectors';
import { TicketEvents } from './ticket-events';
import { loadTicket, ticketInScope, TicketRow } from './ticket-row';
import {
  ConnectorName,
  CreateTicketMessageDto,
  DeliveryStatus,
  ListTicketMessagesQueryDto,
  MessageKind,
  TicketDeliveryDto,
  TicketMessageDto,
} from './message.dto';
import { PageQueryDto } from '../../platform/http/pagination';

export const REPLY_SEND_EVENT = 'tickets.reply.send';

interface MessageRow {
  id: string;
  org_id: string;
  ticket_id: string;
  kind: MessageKind;
  author_user_id: string | null;
  body: string;
  attachments: { url: string; name?: string | null }[];
  canned_reply_id: string | null;
  connector: ConnectorName | null;
  outbox_event_id: string | null;
  delivered_at: Date | null;
  created_at: Date;
  // From the outbox row, while it is kept.
  attempts: number | null;
  last_error: string | null;
  failed_at: Date | null;
  outbox_present: boolean;
}

const MESSAGE_COLUMNS = `m.*, o.attempts, o.last_error, o.failed_at, (o.id IS NOT NULL) AS outbox_present`;

function deliveryStatus(row: MessageRow): DeliveryStatus {
  if (row.delivered_at) return 'sent';
  // A given-up event is pruned after a month; an undelivered message without one was given up too.
  if (row.failed_at || !row.outbox_present) return 'failed';
  return 'pending';
}

export function toMessageDto(row: MessageRow): TicketMessageDto {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    kind: row.kind,
    authorUserId: row.author_user_id,
    body: row.body,
    attachments: row.attachments.map((a) => ({ url: a.url, name: a.name ?? null })),
    cannedReplyId: row.canned_reply_id,
    delivery:
      row.kind === 'public_reply' && row.connector
        ? {
            status: deliveryStatus(row),
            connector: row.connector,
            attempts: row.attempts ?? (row.delivered_at ? 1 : 0),
            lastError: row.delivered_at ? null : row.last_error,
            sentAt: row.delivered_at?.toISOString() ?? null,
          }
        : null,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * A ticket's conversation: public replies (sent to the customer through the channel's connector by the
 * transactional outbox, so a failed send is retried and the reply is never lost), internal notes, and
 * the customer's own messages (written by the public side).
 */
@Injectable()
export class TicketMessagesService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly connectors: TicketConnectors,
    private readonly events: TicketEvents,
  ) {}

  onModuleInit(): void {
    this.outbox.registerHandler<{ messageId: string; orgId: string }>(REPLY_SEND_EVENT, (manager, event) =>
      this.deliver(manager, event),
    );
  }

  async list(
    scope: DataScope,
    ticketId: string,
    query: ListTicketMessagesQueryDto,
  ): Promise<Page<TicketMessageDto>> {
    await ticketInScope(this.dataSource.manager, scope, ticketId);
    const qb = this.dataSource
      .createQueryBuilder()
      .select(MESSAGE_COLUMNS)
      .from('ticket_messages', 'm')
      .leftJoin('outbox_events', 'o', 'o.id = m.outbox_event_id')
      .where('m.ticket_id = :ticketId AND m.org_id = :orgId', { ticketId, orgId: scope.orgId });
    if (query.kind) qb.andWhere('m.kind = :kind', { kind: query.kind });
    return paginate(qb, {
      query,
      sort: { key: { column: 'm.created_at', kind: 'timestamp', milliseconds: true }, direction: 'ASC' },
      idColumn: 'm.id',
      fetch: (q) => q.getRawMany<MessageRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: toMessageDto,
    });
  }

  /**
   * Adds a reply or a note. A closed ticket takes neither (409); a public reply needs the identity check
   * recorded first (409 `identity_check_required`, identity first), and is queued for its connector in
   * the same transaction.
   */
  async create(
    actor: Actor,
    scope: DataScope,
    ticketId: string,
    dto: CreateTicketMessageDto,
  ): Promise<TicketMessageDto> {
    return this.dataSource.transaction(async (manager) => {
      const ticket = await ticketInScope(manager, scope, ticketId, { lock: true });
      if (dto.body !== undefined && dto.cannedReplyId !== undefined) {
        throw DomainError.validation('cannedReplyId', 'give body or cannedReplyId, not both');
      }
      if (ticket.state === 'closed') {
        throw new DomainError(ErrorCode.InvalidState, 'A closed ticket takes no more messages', {
          extensions: { currentState: ticket.state },
        });
      }
      if (dto.kind === 'public_reply' && !ticket.identity_method) {
        throw new DomainError(
          ErrorCode.IdentityCheckRequired,
          'Record how the customer was identified (POST …/identity-check) before the first public reply',
          { extensions: { currentState: ticket.state } },
        );
      }
      const body = dto.cannedReplyId
        ? renderCannedReply(await this.cannedBody(manager, scope.orgId, dto.cannedReplyId), ticket)
        : dto.body!;
      const id = await this.insert(manager, ticket, {
        kind: dto.kind,
        authorUserId: actor.userId,
        body,
        attachments: dto.attachments ?? [],
        cannedReplyId: dto.cannedReplyId ?? null,
      });
      await this.events.record(manager, {
        action: dto.kind === 'public_reply' ? 'replied' : 'noted',
        from: ticket.state,
        to: ticket.state,
        ticket,
        by: { kind: 'member', actor },
        at: this.clock.now(),
        data: { messageId: id },
      });
      return this.one(manager, id);
    });
  }

  /** Writes a message; a public reply also gets its outbox event (the send) in the same transaction. */
  async insert(
    manager: EntityManager,
    ticket: TicketRow,
    m: {
      kind: MessageKind;
      authorUserId: string | null;
      body: string;
      attachments: { url: string; name?: string }[];
      cannedReplyId: string | null;
    },
  ): Promise<string> {
    const connector = m.kind === 'public_reply' ? this.connectors.for(ticket.channel).name : null;
    const [{ id }]: { id: string }[] = await manager.query(
      `INSERT INTO ticket_messages (org_id, ticket_id, kind, author_user_id, body, attachments, canned_reply_id,
         connector, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        ticket.org_id,
        ticket.id,
        m.kind,
        m.authorUserId,
        m.body,
        JSON.stringify(m.attachments),
        m.cannedReplyId,
        connector,
        this.clock.now(),
      ],
    );
    if (connector) {
      const eventId = await this.outbox.enqueue(manager, REPLY_SEND_EVENT, {
        messageId: id,
        orgId: ticket.org_id,
      });
      await manager.query('UPDATE ticket_messages SET outbox_event_id = $2 WHERE id = $1', [id, eventId]);
    }
    return id;
  }

  async deliveries(
    scope: DataScope,
    ticketId: string,
    query: PageQueryDto,
  ): Promise<Page<TicketDeliveryDto>> {
    await ticketInScope(this.dataSource.manager, scope, ticketId);
    const qb = this.dataSource
      .createQueryBuilder()
      .select('d.*')
      .from('ticket_deliveries', 'd')
      .where('d.ticket_id = :ticketId AND d.org_id = :orgId', { ticketId, orgId: scope.orgId });
    return paginate(qb, {
      query,
      sort: { key: { column: 'd.created_at', kind: 'timestamp', milliseconds: true }, direction: 'ASC' },
      idColumn: 'd.id',
      fetch: (q) =>
        q.getRawMany<{
          id: string;
          message_id: string;
          connector: ConnectorName;
          channel: string;
          recipient: string | null;
          subject: string;
          body: string;
          provider_message_id: string | null;
          created_at: Date;
        }>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: (row) => ({
        id: row.id,
        messageId: row.message_id,
        connector: row.connector,
        channel: row.channel,
        recipient: row.recipient,
        subject: row.subject,
        body: row.body,
        providerMessageId: row.provider_message_id,
        createdAt: row.created_at.toISOString(),
      }),
    });
  }

  /**
   * The outbox handler: sends one reply through its connector and records the delivery, committed
   * with the event's "processed" mark. A throw leaves the reply pending and the outbox retries it.
   */
  private async deliver(manager: EntityManager, event: OutboxEnvelope<{ messageId: string; orgId: string }>) {
    const rows: MessageRow[] = await manager.query(
      `SELECT * FROM ticket_messages WHERE id = $1 AND org_id = $2 FOR UPDATE`,
      [event.payload.messageId, event.payload.orgId],
    );
    const message = rows[0];
    if (!message || message.delivered_at) return;
    const ticket = await loadTicket(manager, message.org_id, message.ticket_id);
    const connector = this.connectors.for(ticket.channel);
    const subject = `[${ticket.subject}] Reply to your request`.slice(0, 300);
    const receipt = await connector.send({
      messageId: message.id,
      ticketId: ticket.id,
      channel: ticket.channel,
      recipient: recipientOf(ticket),
      subject,
      body: message.body,
      attachments: message.attachments.map((a) => ({ url: a.url, name: a.name ?? null })),
    });
    const now = this.clock.now();
    await manager.query(
      `INSERT INTO ticket_deliveries (org_id, ticket_id, message_id, connector, channel, recipient, subject, body,
         provider_message_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        ticket.org_id,
        ticket.id,
        message.id,
        connector.name,
        ticket.channel,
        receipt.recipient,
        subject,
        message.body,
        receipt.providerMessageId,
        now,
      ],
    );
    await manager.query('UPDATE ticket_messages SET delivered_at = $2 WHERE id = $1', [message.id, now]);
  }

  private async one(manager: EntityManager, id: string): Promise<TicketMessageDto> {
    const rows: MessageRow[] = await manager.query(
      `SELECT ${MESSAGE_COLUMNS} FROM ticket_messages m LEFT JOIN outbox_events o ON o.id = m.outbox_event_id
       WHERE m.id = $1`,
      [id],
    );
    return toMessageDto(rows[0]);
  }

  private async cannedBody(manager: EntityManager, orgId: string, id: string): Promise<string> {
    const rows: { body: string }[] = await manager.query(
      'SELECT body FROM canned_replies WHERE id = $1 AND org_id = $2',
      [id, orgId],
    );
    if (!rows[0]) {
      throw new DomainError(ErrorCode.ReferenceNotFound, 'No such canned reply in this organization', {
        errors: [{ field: 'cannedReplyId', message: 'canned reply not found' }],
      });
    }
    return rows[0].body;
  }
}

/** The address a channel replies to: the contact's email for email, its ids for the others. */
function recipientOf(ticket: TicketRow): string | null {
  const c = ticket.contact ?? {};
  switch (ticket.channel) {
    case 'email':
    case 'web':
    case 'api':
      return c.email ?? null;
    case 'phone':
      return c.phone ?? null;
    case 'douyin_dm':
      return c.douyinId ?? null;
    case 'wechat':
      return c.wechatId ?? null;
  }
}
