import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `service_supervisor` system role joined the catalogue with customer service. Organizations made
 * before it get the row here; new ones get it from the catalogue when they are created. A system
 * role's permissions come from code, so the row carries none of its own.
 */
export class AddServiceSupervisorRole1764150000000 implements MigrationInterface {
  name = 'AddServiceSupervisorRole1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO roles (org_id, name, description, system_key, permissions)
      SELECT o.id, 'Service supervisor',
             'Leads service agents: assigns, receives escalations, reads service reports',
             'service_supervisor', '{}'
        FROM organizations o
       WHERE o.kind IN ('agency', 'brand')
         AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.org_id = o.id AND r.system_key = 'service_supervisor')`);
    await q.query(`
      UPDATE roles SET description = 'Serves customers: answers and works tickets, keeps customer profiles'
       WHERE system_key = 'service_agent'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM access_grants WHERE role_id IN (SELECT id FROM roles WHERE system_key = 'service_supervisor')`,
    );
    await q.query(`DELETE FROM roles WHERE system_key = 'service_supervisor'`);
    await q.query(`UPDATE roles SET description = 'Serves customers' WHERE system_key = 'service_agent'`);
  }
}
