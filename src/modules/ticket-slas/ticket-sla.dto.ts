import { ApiProperty } from '@nestjs/swagger';
import { SLA_EVENT_KINDS, SLA_TARGET_KINDS, SlaEventKind, SlaTargetKind } from './ticket-sla-row';

export const SLA_TARGET_STATES = ['running', 'paused', 'fulfilled', 'breached', 'stopped'] as const;
export type SlaTargetState = (typeof SLA_TARGET_STATES)[number];

export class TicketSlaTargetDto {
  @ApiProperty({ enum: SLA_TARGET_KINDS })
  target: SlaTargetKind;

  /** The target's length, in its mode's minutes. */
  @ApiProperty({ type: 'integer' })
  minutes: number;

  @ApiProperty({ enum: ['working', 'wall_clock'] })
  mode: 'working' | 'wall_clock';

  /**
   * `running`, `paused` (the ticket waits on the customer or is resolved), `fulfilled` (in time or
   * late: see breachedAt), `breached` (due time passed, not yet fulfilled), `stopped` (the ticket was
   * resolved before this target was met, or a next response is not awaited).
   */
  @ApiProperty({ enum: SLA_TARGET_STATES })
  state: SlaTargetState;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  dueAt: string | null;

  /** Minutes of the target's clock left now; negative once past due; null once fulfilled or stopped. */
  @ApiProperty({ type: 'integer', nullable: true })
  remainingMinutes: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  fulfilledAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  warnedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  breachedAt: string | null;
}

export class TicketSlaEventDto {
  @ApiProperty({ enum: SLA_EVENT_KINDS })
  kind: SlaEventKind;

  @ApiProperty({ enum: SLA_TARGET_KINDS, nullable: true })
  target: SlaTargetKind | null;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  /** What the event is about: the policy applied, the due time breached, the new due times… */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;
}

export class TicketSlaRemainingDto {
  @ApiProperty({ type: 'integer', nullable: true })
  firstResponse: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  nextResponse: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  resolution: number | null;
}

/** A ticket's SLA: the policy applied, each target's due time and state, and what happened when. */
export class TicketSlaDto {
  @ApiProperty({ format: 'uuid' })
  ticketId: string;

  /** The policy applied; null when none matched the ticket (then nothing is due). */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  policyId: string | null;

  @ApiProperty({ type: String, nullable: true })
  policyName: string | null;

  /** Where every target counts from: the ticket's creation, kept across recomputations. */
  @ApiProperty({ type: String, format: 'date-time' })
  startedAt: string;

  /** The clock is stopped (the ticket waits on the customer, or is resolved). */
  @ApiProperty()
  paused: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  firstResponseDueAt: string | null;

  /** Due only while a customer message awaits an answer and the policy has a next-response target. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextResponseDueAt: string | null;

  /** Null while paused, and when the policy has no resolution target. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolutionDueAt: string | null;

  /** Working (or wall-clock) minutes left now of each target still running; null otherwise. */
  @ApiProperty({ type: TicketSlaRemainingDto })
  remainingMinutes: TicketSlaRemainingDto;

  @ApiProperty({ type: [TicketSlaTargetDto] })
  targets: TicketSlaTargetDto[];

  /** Oldest first. */
  @ApiProperty({ type: [TicketSlaEventDto] })
  events: TicketSlaEventDto[];
}
