import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Versioned } from '../../platform/http/etag';
import { Page } from '../../platform/http/pagination';
import type { TicketDto } from './ticket.dto';

export class TicketSlaSummaryRemainingDto {
  @ApiProperty({ type: 'integer', nullable: true })
  firstResponse: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  nextResponse: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  resolution: number | null;
}

/**
 * The part of a ticket's SLA shown on the ticket itself (list and detail). The full SLA, with each
 * target's state and the SLA events, is `GET …/tickets/{ticketId}/sla`.
 */
export class TicketSlaSummaryDto {
  /** The policy applied; null when none matched the ticket (then nothing is due). */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  policyId: string | null;

  @ApiProperty({ type: String, nullable: true })
  policyName: string | null;

  /** The clock is stopped (the ticket waits on the customer, or is resolved or closed). */
  @ApiProperty()
  paused: boolean;

  /** Null once the policy has no first-response target; a fulfilled target keeps the due time it had. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  firstResponseDueAt: string | null;

  /** Due only while a customer message awaits an answer and the policy has a next-response target. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextResponseDueAt: string | null;

  /** Null while paused, and when the policy has no resolution target. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolutionDueAt: string | null;

  /**
   * Minutes left now of each target still running, on the target's clock (working minutes of the
   * calendar, or wall-clock minutes); negative once past due; null once fulfilled, stopped or absent.
   */
  @ApiProperty({ type: TicketSlaSummaryRemainingDto })
  remainingMinutes: TicketSlaSummaryRemainingDto;
}

/**
 * Where tickets' SLA summaries come from: implemented by the ticket-slas module (which builds on
 * tickets, so tickets cannot import it) and registered in its onModuleInit, like a TicketChangeListener.
 * One call answers a whole page: the implementation must not query per ticket.
 */
export interface TicketSlaSource {
  summaries(orgId: string, ticketIds: readonly string[]): Promise<Map<string, TicketSlaSummaryDto>>;
}

/**
 * Puts each ticket's SLA summary on the ticket DTOs a response carries (`sla`, null when the ticket has
 * no SLA or no source is registered). Called after the change's transaction has committed, so the
 * summary reads what the change's listeners wrote.
 */
@Injectable()
export class TicketSlaViews {
  private source: TicketSlaSource | null = null;

  register(source: TicketSlaSource): void {
    if (this.source) throw new Error('A ticket SLA source is already registered');
    this.source = source;
  }

  async attach(orgId: string, tickets: TicketDto[]): Promise<void> {
    if (!this.source || tickets.length === 0) return;
    const summaries = await this.source.summaries(
      orgId,
      tickets.map((t) => t.id),
    );
    for (const ticket of tickets) ticket.sla = summaries.get(ticket.id) ?? null;
  }

  async one(versioned: Versioned<TicketDto>): Promise<Versioned<TicketDto>> {
    await this.attach(versioned.body.orgId, [versioned.body]);
    return versioned;
  }

  async page(orgId: string, page: Page<TicketDto>): Promise<Page<TicketDto>> {
    await this.attach(orgId, page.items);
    return page;
  }
}
