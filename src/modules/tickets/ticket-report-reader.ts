import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReportInterval, bucketLabelSql } from '../../platform/reports';
import { DataScope } from '../access/data-scope';
import { TicketChannel, TicketPriority, TicketType } from './ticket.dto';
import { TicketState } from './ticket-state';

/** What a service report narrows its tickets by (each left out: no narrowing). */
export interface TicketReportFilters {
  type?: TicketType;
  channel?: TicketChannel;
  priority?: TicketPriority;
  /** Tickets held by exactly this unit (its queue). */
  unitId?: string;
  /** Tickets assigned to this member. */
  agentId?: string;
}

/** States a ticket leaves the backlog in. */
export const FINISHED_STATES: readonly TicketState[] = ['resolved', 'closed'];

/** Age buckets of the backlog, by whole days since the ticket was opened (lower bound inclusive). */
export const BACKLOG_AGE_BUCKETS = ['lt_1d', '1_3d', '3_7d', 'gt_7d'] as const;
export type BacklogAgeBucket = (typeof BACKLOG_AGE_BUCKETS)[number];

/**
 * The tickets a caller's report counts: those of the scope's organization that its scope covers (by the
 * ticket's unit, or as its assignee with a `self` scope), narrowed by the filters. It writes SQL over the
 * `tickets` table, so other modules (ticket SLAs) can restrict their rows to it without reading that
 * table themselves.
 */
export class TicketSelection {
  constructor(
    readonly scope: DataScope,
    readonly filters: Readonly<TicketReportFilters>,
  ) {}

  get orgId(): string {
    return this.scope.orgId;
  }

  /** Conditions over a `tickets` row aliased `alias`; values appended to `params` as `$n`. */
  where(alias: string, params: unknown[]): string {
    const bind = (_name: string, value: unknown) => `$${params.push(value)}`;
    const conditions = this.scope.predicate(
      { org: `${alias}.org_id`, unit: `${alias}.unit_id`, owner: `${alias}.assignee_id` },
      bind,
    );
    const f = this.filters;
    if (f.type) conditions.push(`${alias}.type = ${bind('type', f.type)}`);
    if (f.channel) conditions.push(`${alias}.channel = ${bind('channel', f.channel)}`);
    if (f.priority) conditions.push(`${alias}.priority = ${bind('priority', f.priority)}`);
    if (f.unitId) conditions.push(`${alias}.unit_id = ${bind('unit', f.unitId)}::uuid`);
    if (f.agentId) conditions.push(`${alias}.assignee_id = ${bind('agent', f.agentId)}::uuid`);
    return conditions.join(' AND ');
  }

  /** `column IN (the selected ticket ids)`, for a table keyed by ticket id. */
  contains(ticketIdColumn: string, params: unknown[]): string {
    return `${ticketIdColumn} IN (SELECT sel.id FROM tickets sel WHERE ${this.where('sel', params)})`;
  }

  /** A statement using the selection ran: confirms a deferred access check it carried. */
  succeeded(): void {
    this.scope.statementSucceeded();
  }
}

/** A ticket with the instant something happened to it (its first response, its resolution). */
export interface TicketMoment {
  ticketId: string;
  unitId: string;
  assigneeId: string | null;
  type: TicketType;
  createdAt: Date;
  at: Date;
}

export interface TicketVolumeRow {
  bucket: string;
  type: TicketType;
  channel: TicketChannel;
  count: number;
}

export interface TicketBacklogRow {
  state: TicketState;
  age: BacklogAgeBucket;
  count: number;
}

export interface TicketEscalationCount {
  ticketId: string;
  manual: number;
  automatic: number;
}

interface MomentRow {
  id: string;
  unit_id: string;
  assignee_id: string | null;
  type: TicketType;
  created_at: Date;
  at: Date;
}

const toMoment = (r: MomentRow): TicketMoment => ({
  ticketId: r.id,
  unitId: r.unit_id,
  assigneeId: r.assignee_id,
  type: r.type,
  createdAt: r.created_at,
  at: r.at,
});

/**
 * The facts service reports read from tickets and their history, set-based (one statement each, the
 * scope applied in SQL). Exported for the service-reports module, which never reads these tables itself.
 */
@Injectable()
export class TicketReportReader {
  constructor(private readonly dataSource: DataSource) {}

  selection(scope: DataScope, filters: TicketReportFilters): TicketSelection {
    return new TicketSelection(scope, filters);
  }

  /**
   * Tickets whose first public reply by a member (the first `replied` event) falls in `[start, end)`,
   * with that instant.
   */
  async firstResponses(selection: TicketSelection, start: Date, end: Date): Promise<TicketMoment[]> {
    const params: unknown[] = [selection.orgId, start, end];
    const rows: MomentRow[] = await this.dataSource.query(
      `SELECT t.id, t.unit_id, t.assignee_id, t.type, t.created_at, e.created_at AS at
         FROM ticket_events e
         JOIN tickets t ON t.org_id = e.org_id AND t.id = e.ticket_id
        WHERE e.org_id = $1 AND e.action = 'replied' AND e.created_at >= $2 AND e.created_at < $3
          AND NOT EXISTS (SELECT 1 FROM ticket_events p
                           WHERE p.ticket_id = e.ticket_id AND p.action = 'replied' AND p.seq < e.seq)
          AND ${selection.where('t', params)}`,
      params,
    );
    selection.succeeded();
    return rows.map(toMoment);
  }

  /**
   * Tickets resolved in `[start, end)` and not reopened since (resolved or closed now), with the instant
   * of their last resolution.
   */
  async resolutions(selection: TicketSelection, start: Date, end: Date): Promise<TicketMoment[]> {
    const params: unknown[] = [start, end];
    const rows: MomentRow[] = await this.dataSource.query(
      `SELECT t.id, t.unit_id, t.assignee_id, t.type, t.created_at, t.resolved_at AS at
         FROM tickets t
        WHERE t.resolved_at >= $1 AND t.resolved_at < $2 AND ${selection.where('t', params)}`,
      params,
    );
    selection.succeeded();
    return rows.map(toMoment);
  }

  /** Tickets created in the period, counted by bucket (labels of `bucketLabelSql`), type and channel. */
  async volume(
    selection: TicketSelection,
    start: Date,
    end: Date,
    interval: ReportInterval,
    timeZone: string,
  ): Promise<TicketVolumeRow[]> {
    const params: unknown[] = [start, end, timeZone];
    const rows: { bucket: string; type: TicketType; channel: TicketChannel; count: string }[] =
      await this.dataSource.query(
        `SELECT ${bucketLabelSql(interval, 't.created_at', '$3')} AS bucket, t.type, t.channel, count(*) AS count
           FROM tickets t
          WHERE t.created_at >= $1 AND t.created_at < $2 AND ${selection.where('t', params)}
          GROUP BY 1, 2, 3`,
        params,
      );
    selection.succeeded();
    return rows.map((r) => ({ bucket: r.bucket, type: r.type, channel: r.channel, count: Number(r.count) }));
  }

  /**
   * Tickets open at instant `at` (created before it, not resolved or closed then), by the state they
   * were in then and their age then. A ticket whose state has not changed since `at` is in its current
   * state; for the others the state is that of their last history event before `at`.
   */
  async backlog(selection: TicketSelection, at: Date): Promise<TicketBacklogRow[]> {
    const params: unknown[] = [at, FINISHED_STATES];
    const rows: { state: TicketState; age: BacklogAgeBucket; count: string }[] = await this.dataSource.query(
      `WITH candidates AS (
         SELECT t.id, t.created_at,
                CASE WHEN t.state_changed_at < $1 THEN t.state
                     ELSE (SELECT e.to_state FROM ticket_events e
                            WHERE e.ticket_id = t.id AND e.created_at < $1 ORDER BY e.seq DESC LIMIT 1)
                END AS state
           FROM tickets t
          WHERE t.created_at < $1
            AND (t.state_changed_at >= $1 OR NOT (t.state = ANY($2::text[])))
            AND ${selection.where('t', params)})
       SELECT state,
              CASE WHEN $1 - created_at < interval '1 day' THEN 'lt_1d'
                   WHEN $1 - created_at < interval '3 days' THEN '1_3d'
                   WHEN $1 - created_at < interval '7 days' THEN '3_7d'
                   ELSE 'gt_7d' END AS age,
              count(*) AS count
         FROM candidates
        WHERE state IS NOT NULL AND NOT (state = ANY($2::text[]))
        GROUP BY 1, 2`,
      params,
    );
    selection.succeeded();
    return rows.map((r) => ({ state: r.state, age: r.age, count: Number(r.count) }));
  }

  /**
   * Escalations in `[start, end)` per ticket: `manual` by a member or an API key (the `escalate` action),
   * `automatic` by the system (the SLA breach sweep).
   */
  async escalations(selection: TicketSelection, start: Date, end: Date): Promise<TicketEscalationCount[]> {
    const params: unknown[] = [selection.orgId, start, end];
    const rows: { ticket_id: string; manual: string; automatic: string }[] = await this.dataSource.query(
      `SELECT e.ticket_id,
              count(*) FILTER (WHERE e.actor_kind <> 'system') AS manual,
              count(*) FILTER (WHERE e.actor_kind = 'system') AS automatic
         FROM ticket_events e
         JOIN tickets t ON t.org_id = e.org_id AND t.id = e.ticket_id
        WHERE e.org_id = $1 AND e.action = 'escalate' AND e.created_at >= $2 AND e.created_at < $3
          AND ${selection.where('t', params)}
        GROUP BY e.ticket_id`,
      params,
    );
    selection.succeeded();
    return rows.map((r) => ({
      ticketId: r.ticket_id,
      manual: Number(r.manual),
      automatic: Number(r.automatic),
    }));
  }
}
