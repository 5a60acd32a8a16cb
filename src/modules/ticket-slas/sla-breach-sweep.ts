import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { JobsService } from '../../platform/jobs/jobs.service';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { TicketWorkflow } from '../tickets/ticket-workflow.service';
import { SLA_TARGET_KINDS, SlaTargetKind } from './ticket-sla-row';
import { unitSupervisors } from './unit-supervisors';

export const SLA_SWEEP_JOB = 'ticket-slas.sweep';

/** Targets claimed per statement; a sweep repeats the batch while one comes back full. */
export const SWEEP_BATCH = 20_000;
/** The longest warning a policy may set (sla-policy.dto.ts), bounding the warning scan by due time. */
const MAX_WARN_MINUTES = 10_080;

const LABEL: Record<SlaTargetKind, string> = {
  first_response: 'first response',
  next_response: 'next response',
  resolution: 'resolution',
};

export interface SweepResult {
  warned: number;
  breached: number;
  escalated: number;
  notifications: number;
  /** Statements the sweep sent, to show it does not grow with the number of tickets. */
  queries: number;
}

interface Hit {
  org_id: string;
  ticket_id: string;
  due_at: Date;
  unit_id: string;
  assignee_id: string | null;
  state: string;
  subject: string;
  target: SlaTargetKind;
  reassign_on_breach: boolean;
}

/** Counts the statements sent through a manager (the bench prints the count). */
function counting(manager: EntityManager, counter: { n: number }): EntityManager {
  return new Proxy(manager, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (sql: string, params?: unknown[]) => {
          counter.n++;
          return target.query(sql, params);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/**
 * The escalation job, every minute: warns assignees before a due time and escalates breaches, in a
 * bounded number of set-based statements per batch, whatever the number of tickets.
 *
 * Exactly once: a target is claimed with `FOR UPDATE SKIP LOCKED` and marked (`warned_at`,
 * `breached_at`) in the statement that claims it; the notification (outbox), the SLA events and the
 * ticket's move to `escalated` are written in the same transaction. A second sweep running at the same
 * time skips the rows the first holds, and once the first commits, re-checking the WHERE clause on the
 * new row versions excludes them. The breach claim also locks the ticket rows (skipping tickets a member
 * is changing right now; they are picked up a minute later), so the sweep never waits on a lock and
 * cannot deadlock with the ticket workflow.
 */
@Injectable()
export class SlaBreachSweep implements OnModuleInit {
  private readonly logger = new Logger('SlaBreachSweep');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationsService,
    private readonly workflow: TicketWorkflow,
  ) {}

  onModuleInit(): void {
    this.jobs.register(SLA_SWEEP_JOB, () => this.sweep().then(() => undefined), {
      pollingIntervalSeconds: 15,
      cron: '* * * * *',
    });
  }

  async sweep(): Promise<SweepResult> {
    const total: SweepResult = { warned: 0, breached: 0, escalated: 0, notifications: 0, queries: 0 };
    for (;;) {
      const counter = { n: 0 };
      const { full, result } = await this.dataSource.transaction((manager) =>
        this.batch(counting(manager, counter)),
      );
      total.warned += result.warned;
      total.breached += result.breached;
      total.escalated += result.escalated;
      total.notifications += result.notifications;
      total.queries += counter.n;
      if (!full) break;
    }
    if (total.warned || total.breached) this.logger.log(total, 'SLA sweep');
    return total;
  }

  private async batch(
    manager: EntityManager,
  ): Promise<{ full: boolean; result: Omit<SweepResult, 'queries'> }> {
    const now = this.clock.now();
    let full = false;
    const warnings: Hit[] = [];
    const breaches: Hit[] = [];
    for (const target of SLA_TARGET_KINDS) {
      const warned = await this.claimWarnings(manager, target, now);
      const breached = await this.claimBreaches(manager, target, now);
      full ||= warned.length === SWEEP_BATCH || breached.length === SWEEP_BATCH;
      warnings.push(...warned);
      breaches.push(...breached);
    }
    let notifications = await this.warnAssignees(manager, warnings);
    const escalation = await this.escalate(manager, breaches, now);
    notifications += escalation.notifications;
    return {
      full,
      result: {
        warned: warnings.length,
        breached: breaches.length,
        escalated: escalation.escalated,
        notifications,
      },
    };
  }

  private async claimWarnings(manager: EntityManager, target: SlaTargetKind, now: Date): Promise<Hit[]> {
    const rows: Omit<Hit, 'target'>[] = await manager.query(
      `WITH hit AS (
         SELECT s.org_id, s.ticket_id FROM ticket_slas s
          WHERE s.running AND s.${target}_at IS NULL AND s.${target}_breached_at IS NULL
            AND s.${target}_warned_at IS NULL AND s.warn_before_minutes IS NOT NULL
            AND s.${target}_due_at > $1 AND s.${target}_due_at <= $1 + make_interval(mins => $3)
            AND s.${target}_due_at <= $1 + make_interval(mins => s.warn_before_minutes)
          ORDER BY s.${target}_due_at LIMIT $2
          FOR UPDATE OF s SKIP LOCKED),
       upd AS (
         UPDATE ticket_slas s SET ${target}_warned_at = $1, updated_at = $1 FROM hit
          WHERE s.org_id = hit.org_id AND s.ticket_id = hit.ticket_id
         RETURNING s.org_id, s.ticket_id, s.${target}_due_at AS due_at),
       ev AS (
         INSERT INTO ticket_sla_events (org_id, ticket_id, kind, target, at, data)
         SELECT upd.org_id, upd.ticket_id, 'warned', $4, $1,
                jsonb_build_object('dueAt', upd.due_at, 'assigneeId', t.assignee_id)
           FROM upd JOIN tickets t ON t.id = upd.ticket_id)
       SELECT upd.org_id, upd.ticket_id, upd.due_at, false AS reassign_on_breach, t.unit_id, t.assignee_id,
              t.state, t.subject
         FROM upd JOIN tickets t ON t.id = upd.ticket_id`,
      [now, SWEEP_BATCH, MAX_WARN_MINUTES, target],
    );
    return rows.map((r) => ({ ...r, target }));
  }

  private async claimBreaches(manager: EntityManager, target: SlaTargetKind, now: Date): Promise<Hit[]> {
    const rows: Omit<Hit, 'target'>[] = await manager.query(
      `WITH hit AS (
         SELECT s.org_id, s.ticket_id FROM ticket_slas s JOIN tickets t ON t.id = s.ticket_id
          WHERE s.running AND s.${target}_at IS NULL AND s.${target}_breached_at IS NULL
            AND s.${target}_due_at <= $1
          ORDER BY s.${target}_due_at LIMIT $2
          FOR UPDATE OF s, t SKIP LOCKED),
       upd AS (
         UPDATE ticket_slas s SET ${target}_breached_at = $1, updated_at = $1 FROM hit
          WHERE s.org_id = hit.org_id AND s.ticket_id = hit.ticket_id
         RETURNING s.org_id, s.ticket_id, s.${target}_due_at AS due_at, s.reassign_on_breach),
       ev AS (
         INSERT INTO ticket_sla_events (org_id, ticket_id, kind, target, at, data)
         SELECT org_id, ticket_id, 'breached', $3, $1, jsonb_build_object('dueAt', due_at) FROM upd)
       SELECT upd.org_id, upd.ticket_id, upd.due_at, upd.reassign_on_breach, t.unit_id, t.assignee_id, t.state,
              t.subject
         FROM upd JOIN tickets t ON t.id = upd.ticket_id`,
      [now, SWEEP_BATCH, target],
    );
    return rows.map((r) => ({ ...r, target }));
  }

  /** One notification per assignee, naming each of their tickets coming due. */
  private async warnAssignees(manager: EntityManager, warnings: Hit[]): Promise<number> {
    const byAssignee = group(
      warnings.filter((w) => w.assignee_id),
      (w) => `${w.org_id}:${w.assignee_id}`,
    );
    for (const hits of byAssignee.values()) {
      const first = hits[0];
      await this.notifications.notify(manager, {
        userIds: [first.assignee_id!],
        orgId: first.org_id,
        type: 'tickets.sla.warning',
        title:
          hits.length === 1
            ? `SLA ${LABEL[first.target]} due soon: ${first.subject}`
            : `${hits.length} SLA targets of your tickets fall due soon`,
        body: hits
          .map((h) => `${LABEL[h.target]} of "${h.subject}" due at ${h.due_at.toISOString()}`)
          .join('\n'),
        data: {
          tickets: hits.map((h) => ({
            ticketId: h.ticket_id,
            target: h.target,
            dueAt: h.due_at.toISOString(),
          })),
        },
      });
    }
    return byAssignee.size;
  }

  /**
   * Breaches: the unit's supervisors (or the next unit up's) hear of them, one notification per unit;
   * tickets the state table lets escalate move to `escalated` through the tickets workflow as the
   * system, and each escalation is recorded on the SLA.
   */
  private async escalate(
    manager: EntityManager,
    breaches: Hit[],
    now: Date,
  ): Promise<{ escalated: number; notifications: number }> {
    if (breaches.length === 0) return { escalated: 0, notifications: 0 };
    const supervisors = await unitSupervisors(manager, [...new Set(breaches.map((b) => b.unit_id))]);
    let notifications = 0;
    for (const hits of group(breaches, (b) => b.unit_id).values()) {
      const userIds = supervisors.get(hits[0].unit_id) ?? [];
      if (userIds.length === 0) continue;
      const first = hits[0];
      await this.notifications.notify(manager, {
        userIds,
        orgId: first.org_id,
        type: 'tickets.sla.breached',
        title:
          hits.length === 1
            ? `SLA ${LABEL[first.target]} breached: ${first.subject}`
            : `${hits.length} SLA targets breached in your unit`,
        body: hits
          .map((h) => `${LABEL[h.target]} of "${h.subject}" was due at ${h.due_at.toISOString()}`)
          .join('\n'),
        data: {
          unitId: first.unit_id,
          tickets: hits.map((h) => ({
            ticketId: h.ticket_id,
            target: h.target,
            dueAt: h.due_at.toISOString(),
          })),
        },
      });
      notifications++;
    }
    const targetsOf = group(breaches, (b) => b.ticket_id);
    // Reassignment goes to the first supervisor (by id) who is not already holding the ticket.
    const assignees = new Map<string, string>();
    for (const [ticketId, hits] of targetsOf) {
      if (!hits[0].reassign_on_breach) continue;
      const pick = (supervisors.get(hits[0].unit_id) ?? []).find((id) => id !== hits[0].assignee_id);
      if (pick) assignees.set(ticketId, pick);
    }
    const moved = await this.workflow.escalateBySystem(
      manager,
      [...targetsOf.keys()],
      'SLA breached',
      { sla: true },
      assignees,
    );
    if (moved.length > 0) {
      await manager.query(
        `INSERT INTO ticket_sla_events (org_id, ticket_id, kind, target, at, data)
         SELECT e.org_id, e.ticket_id, 'escalated', NULL, $2, jsonb_build_object('targets', e.targets)
           FROM jsonb_to_recordset($1::jsonb) AS e(org_id uuid, ticket_id uuid, targets jsonb)`,
        [
          JSON.stringify(
            moved.map((t) => ({
              org_id: t.org_id,
              ticket_id: t.id,
              targets: targetsOf.get(t.id)!.map((h) => h.target),
            })),
          ),
          now,
        ],
      );
    }
    return { escalated: moved.length, notifications };
  }
}

function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(key(item));
    if (list) list.push(item);
    else map.set(key(item), [item]);
  }
  return map;
}
