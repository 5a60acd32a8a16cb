import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the service reports (service-reports module, read through the tickets and ticket-slas
 * readers): first responses and escalations by the time of their history event, resolutions by their
 * instant, and SLA breaches by theirs. Partial, so they hold only the rows the reports look for.
 */
export class AddServiceReportIndexes1764910000000 implements MigrationInterface {
  name = 'AddServiceReportIndexes1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ticket_events_report_idx ON ticket_events (org_id, action, created_at)
        WHERE action IN ('replied', 'escalate')`,
    );
    await q.query(
      `CREATE INDEX tickets_org_resolved_idx ON tickets (org_id, resolved_at) WHERE resolved_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ticket_sla_events_breached_idx ON ticket_sla_events (org_id, at) WHERE kind = 'breached'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_sla_events_breached_idx`);
    await q.query(`DROP INDEX tickets_org_resolved_idx`);
    await q.query(`DROP INDEX ticket_events_report_idx`);
  }
}
