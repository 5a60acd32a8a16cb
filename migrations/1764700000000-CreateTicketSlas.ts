import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SLA of each ticket (ticket-slas module): the policy applied with a snapshot of its targets, the
 * pauses, fulfilment, due, warning and breach instants of each target, and the SLA event history. The
 * partial indexes serve the breach sweep: each holds only the targets still able to breach.
 */
export class CreateTicketSlas1764700000000 implements MigrationInterface {
  name = 'CreateTicketSlas1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ticket_slas (
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        policy_id uuid REFERENCES sla_policies(id) ON DELETE SET NULL,
        policy_name varchar(100),
        calendar_id uuid,
        started_at timestamptz NOT NULL,
        targets jsonb NOT NULL,
        warn_before_minutes integer,
        pauses jsonb NOT NULL DEFAULT '[]',
        awaiting_reply_since timestamptz,
        running boolean NOT NULL DEFAULT true,
        first_response_at timestamptz,
        next_response_at timestamptz,
        resolution_at timestamptz,
        first_response_due_at timestamptz,
        next_response_due_at timestamptz,
        resolution_due_at timestamptz,
        first_response_warned_at timestamptz,
        next_response_warned_at timestamptz,
        resolution_warned_at timestamptz,
        first_response_breached_at timestamptz,
        next_response_breached_at timestamptz,
        resolution_breached_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, ticket_id),
        UNIQUE (ticket_id)
      )`);
    for (const target of ['first_response', 'next_response', 'resolution']) {
      await q.query(`
        CREATE INDEX ticket_slas_${target}_open_idx ON ticket_slas (${target}_due_at)
         WHERE running AND ${target}_at IS NULL AND ${target}_breached_at IS NULL`);
    }
    await q.query(`
      CREATE TABLE ticket_sla_events (
        seq bigserial PRIMARY KEY,
        org_id uuid NOT NULL,
        ticket_id uuid NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN
          ('applied', 'paused', 'resumed', 'fulfilled', 'breached', 'warned', 'escalated', 'recomputed')),
        target varchar(16) CHECK (target IN ('first_response', 'next_response', 'resolution')),
        at timestamptz NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        FOREIGN KEY (org_id, ticket_id) REFERENCES ticket_slas(org_id, ticket_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ticket_sla_events_ticket_idx ON ticket_sla_events (org_id, ticket_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ticket_sla_events`);
    await q.query(`DROP TABLE ticket_slas`);
  }
}
