import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../platform/database/query-rows';
import { Clock } from '../../platform/clock/clock';
import { JobsService } from '../../platform/jobs/jobs.service';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { TicketChange, TicketChangeListener, TicketEvents } from './ticket-events';

export const FOLLOW_UPS_JOB = 'tickets.follow-ups';
const DAY_MS = 86_400_000;
const BATCH = 500;

/**
 * The after-sales follow-up: resolving an after-sales ticket schedules one (due the organization's
 * `followUpDays` later, default 3, for the ticket's assignee); reopening cancels a follow-up not yet
 * due; the job opens due ones and tells the assignee. It is a listener on ticket changes, written in
 * the resolve's own transaction, and keyed by the resolve's event, so one resolution has exactly one.
 */
@Injectable()
export class AfterSalesFollowUps implements TicketChangeListener, OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationsService,
    events: TicketEvents,
  ) {
    events.addListener(this);
  }

  onModuleInit(): void {
    this.jobs.register(FOLLOW_UPS_JOB, () => this.openDue().then(() => undefined), {
      cron: '* * * * *',
      pollingIntervalSeconds: 30,
    });
  }

  async onTicketChange(manager: EntityManager, change: TicketChange): Promise<void> {
    if (change.ticket.type !== 'after_sales' || change.from === change.to) return;
    if (change.to === 'resolved') {
      const [settings]: { follow_up_days: number }[] = await manager.query(
        'SELECT follow_up_days FROM ticket_settings WHERE org_id = $1',
        [change.ticket.org_id],
      );
      const days = settings?.follow_up_days ?? 3;
      await manager.query(
        `INSERT INTO ticket_follow_ups (org_id, ticket_id, resolution_seq, assignee_id, status, due_at, created_at)
         VALUES ($1, $2, $3, $4, 'scheduled', $5, $6) ON CONFLICT (resolution_seq) DO NOTHING`,
        [
          change.ticket.org_id,
          change.ticket.id,
          change.seq,
          change.ticket.assignee_id,
          new Date(change.at.getTime() + days * DAY_MS),
          change.at,
        ],
      );
    } else if (change.from === 'resolved' && change.to !== 'closed') {
      await manager.query(
        `UPDATE ticket_follow_ups SET status = 'cancelled' WHERE ticket_id = $1 AND status = 'scheduled'`,
        [change.ticket.id],
      );
    }
  }

  /**
   * Opens every scheduled follow-up now due and notifies its assignee, in one transaction per batch.
   * SKIP LOCKED: two replicas running at once take different rows, and a row opens once.
   */
  async openDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const opened = await this.dataSource.transaction(async (manager) => {
        const now = this.clock.now();
        const rows = await queryRows<{
          id: string;
          org_id: string;
          ticket_id: string;
          assignee_id: string | null;
          subject: string;
        }>(
          manager,
          `UPDATE ticket_follow_ups f SET status = 'open', opened_at = $1
             FROM tickets t
             WHERE f.id IN (SELECT id FROM ticket_follow_ups WHERE status = 'scheduled' AND due_at <= $1
                            ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
               AND t.id = f.ticket_id
             RETURNING f.id, f.org_id, f.ticket_id, f.assignee_id, t.subject`,
          [now, BATCH],
        );
        for (const row of rows) {
          if (!row.assignee_id) continue;
          await this.notifications.notify(manager, {
            userIds: [row.assignee_id],
            orgId: row.org_id,
            type: 'tickets.follow_up.due',
            title: 'Follow up with the customer',
            body: `Confirm the problem is solved: ${row.subject}`,
            data: { followUpId: row.id, ticketId: row.ticket_id },
          });
        }
        return rows.length;
      });
      total += opened;
      if (opened < BATCH) {
        // Spent challenges are only needed until they expire.
        await this.dataSource.query('DELETE FROM ticket_challenge_uses WHERE expires_at < $1', [
          this.clock.now(),
        ]);
        return total;
      }
    }
  }
}
