import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `reassign_on_breach`: a policy may hand a breached ticket to one of its unit's supervisors as the
 * breach sweep escalates it; the ticket's SLA keeps the setting it was applied with.
 */
export class AddReassignOnBreach1764700000001 implements MigrationInterface {
  name = 'AddReassignOnBreach1764700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sla_policies ADD COLUMN reassign_on_breach boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE ticket_slas ADD COLUMN reassign_on_breach boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_slas DROP COLUMN reassign_on_breach`);
    await q.query(`ALTER TABLE sla_policies DROP COLUMN reassign_on_breach`);
  }
}
