import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queueAgents } from './ticket-agents';
import { AutoAssignMode } from './queue.dto';
import { ACTIVE_STATES } from './ticket-state';

/**
 * Picks the agent a queue hands a new ticket to. The queue's row is locked for the decision, so two
 * tickets arriving together take turns: round-robin never gives the same turn twice, and least-loaded
 * counts the load including the ticket assigned a moment before.
 */
@Injectable()
export class TicketAutoAssignment {
  async pick(manager: EntityManager, orgId: string, unitId: string): Promise<string | null> {
    const queues: { auto_assign: AutoAssignMode; last_assigned_user_id: string | null }[] =
      await manager.query(
        `SELECT auto_assign, last_assigned_user_id FROM ticket_queues WHERE org_id = $1 AND unit_id = $2 FOR UPDATE`,
        [orgId, unitId],
      );
    const queue = queues[0];
    if (!queue || queue.auto_assign === 'none') return null;
    const agents = await queueAgents(manager, orgId, unitId);
    if (agents.length === 0) return null;
    let chosen: string;
    if (queue.auto_assign === 'round_robin') {
      const after = queue.last_assigned_user_id;
      chosen = agents.find((id) => after !== null && id > after) ?? agents[0];
    } else {
      const loads: { user_id: string; n: number }[] = await manager.query(
        `SELECT a.user_id, count(t.id)::int AS n
           FROM unnest($2::uuid[]) AS a(user_id)
           LEFT JOIN tickets t ON t.org_id = $1 AND t.assignee_id = a.user_id AND t.state = ANY($3::text[])
         GROUP BY a.user_id ORDER BY n, a.user_id LIMIT 1`,
        [orgId, agents, ACTIVE_STATES],
      );
      chosen = loads[0].user_id;
    }
    await manager.query(
      `UPDATE ticket_queues SET last_assigned_user_id = $3 WHERE org_id = $1 AND unit_id = $2`,
      [orgId, unitId, chosen],
    );
    return chosen;
  }
}
