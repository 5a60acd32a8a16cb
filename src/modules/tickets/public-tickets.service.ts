import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { sha256Hex } from '../../platform/crypto/tokens';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate } from '../../platform/http/pagination';
import { AccessRepository } from '../access/access.repository';
import { DataScope } from '../access/data-scope';
import { unitPathOf } from '../access/org-lookups';
import { TicketEvents } from './ticket-events';
import { TicketMessagesService } from './ticket-messages.service';
import { loadTicket, TicketRow } from './ticket-row';
import { TicketSecrets } from './ticket-secrets';
import { REOPEN_WINDOW_MS } from './ticket-state';
import { TicketWorkflow } from './ticket-workflow.service';
import { inboundUnit, TicketsService } from './tickets.service';
import {
  ChallengeDto,
  PublicCreateTicketDto,
  PublicReplyDto,
  PublicReplyResultDto,
  PublicThreadQueryDto,
  PublicTicketCreatedDto,
  PublicTicketMessageDto,
} from './public-ticket.dto';

const CHALLENGE_TTL_MS = 10 * 60_000;
/** A link is 76 characters; anything much longer is not one of ours. */
export const LINK_MAX_LENGTH = 120;

/**
 * The customer's side: opening a ticket (vouched for by a partner's API key, or by a solved challenge)
 * and the per-ticket signed link, through which the customer reads that ticket's public conversation
 * and answers. Nothing here ever shows internal notes, members or another ticket.
 */
@Injectable()
export class PublicTicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly secrets: TicketSecrets,
    private readonly access: AccessRepository,
    private readonly tickets: TicketsService,
    private readonly workflow: TicketWorkflow,
    private readonly messages: TicketMessagesService,
    private readonly events: TicketEvents,
  ) {}

  async challenge(orgId: string): Promise<ChallengeDto> {
    await this.assertActiveOrg(this.dataSource.manager, orgId);
    const expiresAt = new Date(this.clock.now().getTime() + CHALLENGE_TTL_MS);
    return { ...this.secrets.issueChallenge(orgId, expiresAt), expiresAt: expiresAt.toISOString() };
  }

  async create(
    orgId: string,
    apiKey: string | undefined,
    dto: PublicCreateTicketDto,
  ): Promise<PublicTicketCreatedDto> {
    if (!dto.contact.email && !dto.contact.phone) {
      throw DomainError.validation('contact', 'give an email or a phone number to be answered at');
    }
    return this.dataSource.transaction(async (manager) => {
      await this.assertActiveOrg(manager, orgId);
      const unitId = await inboundUnit(manager, orgId);
      const key = apiKey ? await this.partnerKey(manager, orgId, apiKey, unitId) : null;
      if (!key) await this.spendChallenge(manager, orgId, dto);
      const type = dto.type ?? 'consultation';
      const row = await this.tickets.insert(manager, {
        orgId,
        unitId,
        assigneeId: null,
        dto: {
          type,
          afterSalesKind: dto.afterSalesKind,
          channel: key ? 'api' : 'web',
          subject: dto.subject,
          description: dto.description,
          contact: dto.contact,
          orderRef: dto.orderRef,
          productRef: type === 'after_sales' ? dto.productRef : undefined,
        },
        source: key ? 'api_key' : 'public',
        createdBy: null,
        apiKeyId: key,
        by: { kind: 'customer' },
      });
      return { ticketId: row.id, state: row.state, replyToken: this.secrets.linkFor(row.id) };
    });
  }

  async thread(token: string, query: PublicThreadQueryDto): Promise<Page<PublicTicketMessageDto>> {
    const ticket = await this.ticketOf(this.dataSource.manager, token);
    const qb = this.dataSource
      .createQueryBuilder()
      .select('m.*')
      .from('ticket_messages', 'm')
      // Only what the customer was sent or wrote: internal notes never leave the organization.
      .where(`m.ticket_id = :id AND m.org_id = :orgId AND m.kind IN ('public_reply', 'customer_reply')`, {
        id: ticket.id,
        orgId: ticket.org_id,
      });
    return paginate(qb, {
      query,
      sort: { key: { column: 'm.created_at', kind: 'timestamp', milliseconds: true }, direction: 'ASC' },
      idColumn: 'm.id',
      fetch: (q) =>
        q.getRawMany<{
          id: string;
          kind: string;
          body: string;
          attachments: { url: string; name?: string }[];
          created_at: Date;
        }>(),
      sortValue: (r) => r.created_at,
      idValue: (r) => r.id,
      map: (r) => ({
        id: r.id,
        from: r.kind === 'customer_reply' ? 'customer' : 'agent',
        body: r.body,
        attachments: r.attachments.map((a) => ({ url: a.url, name: a.name ?? null })),
        createdAt: r.created_at.toISOString(),
      }),
    });
  }

  /**
   * The customer answers. Waiting for the customer → open; resolved less than 7 days ago → reopened;
   * resolved earlier, or closed → a new ticket linked to this one takes the message.
   */
  async reply(token: string, dto: PublicReplyDto): Promise<PublicReplyResultDto> {
    return this.dataSource.transaction(async (manager) => {
      const found = await this.ticketOf(manager, token);
      let ticket = await loadTicket(manager, found.org_id, found.id, { lock: true });
      const now = this.clock.now();
      const by = { kind: 'customer' as const };
      let outcome: PublicReplyResultDto['outcome'] = 'added';
      let moved = true;
      const late =
        ticket.state === 'closed' ||
        (ticket.state === 'resolved' && now.getTime() - ticket.resolved_at!.getTime() > REOPEN_WINDOW_MS);
      if (late) {
        const previous = ticket;
        ticket = await this.tickets.insert(manager, {
          orgId: previous.org_id,
          unitId: previous.unit_id,
          assigneeId: null,
          dto: {
            type: previous.type,
            afterSalesKind: previous.after_sales_kind ?? undefined,
            channel: previous.channel,
            customerId: previous.customer_id ?? undefined,
            contact: previous.customer_id ? undefined : previous.contact,
            subject: `Re: ${previous.subject}`.slice(0, 200),
            description: dto.body,
            priority: previous.priority,
            orderRef: previous.order_ref ?? undefined,
            productRef: previous.product_ref ?? undefined,
          },
          source: 'public',
          createdBy: null,
          apiKeyId: null,
          by,
          previousTicketId: previous.id,
        });
        if (previous.customer_id) {
          // The contact the customer wrote from stays the reply address of the continuation.
          await manager.query('UPDATE tickets SET contact = $2 WHERE id = $1', [
            ticket.id,
            JSON.stringify(previous.contact),
          ]);
          ticket = await loadTicket(manager, ticket.org_id, ticket.id);
        }
        outcome = 'new_ticket';
      } else if (ticket.state === 'resolved') {
        ticket = await this.workflow.move(manager, ticket, 'customer_reopen', 'reopened', { by });
        outcome = 'reopened';
      } else if (ticket.state === 'pending_customer') {
        ticket = await this.workflow.move(manager, ticket, 'customer_replied', 'open', { by });
      } else {
        moved = false;
      }
      const messageId = await this.messages.insert(manager, ticket, {
        kind: 'customer_reply',
        authorUserId: null,
        body: dto.body,
        attachments: dto.attachments ?? [],
        cannedReplyId: null,
      });
      if (!moved) {
        // The state did not move (new, open, escalated, reopened): the message itself is the change the
        // listeners hear, so a customer writing to a ticket not waiting on them still starts a next response.
        await this.events.record(manager, {
          action: 'customer_message',
          from: ticket.state,
          to: ticket.state,
          ticket,
          by,
          at: now,
          data: { messageId },
        });
      }
      return {
        ticketId: ticket.id,
        state: ticket.state,
        outcome,
        replyToken: this.secrets.linkFor(ticket.id),
      };
    });
  }

  /** The ticket a link names; a forged or unknown link is 404, like a ticket that does not exist. */
  private async ticketOf(manager: EntityManager, token: string): Promise<TicketRow> {
    if (token.length > LINK_MAX_LENGTH) {
      throw DomainError.validation('ticketLink', `must be at most ${LINK_MAX_LENGTH} characters`);
    }
    const id = this.secrets.ticketOfLink(token);
    if (!id) throw DomainError.notFound('Ticket');
    const rows: TicketRow[] = await manager.query('SELECT * FROM tickets WHERE id = $1', [id]);
    if (!rows[0]) throw DomainError.notFound('Ticket');
    return rows[0];
  }

  /**
   * A partner's key of this organization that may open tickets where inbound ones land. A key of
   * another organization, revoked or expired, is refused like a wrong one (401).
   */
  private async partnerKey(
    manager: EntityManager,
    orgId: string,
    secret: string,
    unitId: string,
  ): Promise<string> {
    const key = await this.access.findUsableApiKey(sha256Hex(secret), this.clock.now());
    if (!key || key.orgId !== orgId)
      throw new DomainError(ErrorCode.Unauthenticated, 'The API key is not valid');
    const snapshot = await this.access.loadForApiKey(key.id, orgId);
    const scope = new DataScope(orgId, 'tickets:write', null, snapshot.grants);
    const path = await unitPathOf(manager, orgId, unitId, 'unitId');
    if (!scope.permitsUnit(path, null)) {
      throw new DomainError(ErrorCode.PermissionDenied, 'The API key cannot open tickets here', {
        extensions: { permission: 'tickets:write' },
      });
    }
    return key.id;
  }

  /** A right answer to an unexpired challenge of this organization, never used before. */
  private async spendChallenge(
    manager: EntityManager,
    orgId: string,
    dto: PublicCreateTicketDto,
  ): Promise<void> {
    if (!dto.challenge) {
      throw new DomainError(
        ErrorCode.Unauthenticated,
        'Solve the challenge (GET …/ticket-challenge) or send a partner API key',
        {
          errors: [{ field: 'challenge', message: 'is required without an API key' }],
        },
      );
    }
    const checked = this.secrets.checkChallenge(dto.challenge.token, dto.challenge.answer, orgId);
    const now = this.clock.now();
    if (!checked || checked.expiresAt.getTime() <= now.getTime()) {
      throw new DomainError(
        ErrorCode.ChallengeFailed,
        'The answer is wrong or the challenge expired; get a new one',
        {
          errors: [{ field: 'challenge.answer', message: 'wrong answer or expired challenge' }],
        },
      );
    }
    const used: unknown[] = await manager.query(
      `INSERT INTO ticket_challenge_uses (challenge_id, org_id, expires_at, used_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (challenge_id) DO NOTHING RETURNING challenge_id`,
      [checked.id, orgId, checked.expiresAt, now],
    );
    if (used.length === 0)
      throw new DomainError(ErrorCode.ChallengeUsed, 'This challenge was used already; get a new one');
  }

  private async assertActiveOrg(manager: EntityManager, orgId: string): Promise<void> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM organizations WHERE id = $1 AND status = 'active' AND kind <> 'platform'`,
      [orgId],
    );
    if (rows.length === 0) throw DomainError.notFound('Organization');
  }
}
