import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `marketer` system role joined the catalogue with campaigns and email marketing. Organizations
 * made before it get the row here; new ones get it from the catalogue. A system role's permissions
 * come from code, so the row carries none of its own.
 */
export class AddMarketerRole1764790000001 implements MigrationInterface {
  name = 'AddMarketerRole1764790000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO roles (org_id, name, description, system_key, permissions)
      SELECT o.id, 'Marketer', 'Plans and runs marketing campaigns and email sends', 'marketer', '{}'
        FROM organizations o
       WHERE o.kind IN ('agency', 'brand')
         AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.org_id = o.id AND r.system_key = 'marketer')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM access_grants WHERE role_id IN (SELECT id FROM roles WHERE system_key = 'marketer')`,
    );
    await q.query(`DELETE FROM roles WHERE system_key = 'marketer'`);
  }
}
