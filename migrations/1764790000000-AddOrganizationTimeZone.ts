import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The organization's time zone: the one in which its reports' days, weeks and months are cut. Every
 * existing organization gets the platform's default, Asia/Shanghai.
 */
export class AddOrganizationTimeZone1764790000000 implements MigrationInterface {
  name = 'AddOrganizationTimeZone1764790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE organizations ADD COLUMN time_zone varchar(64) NOT NULL DEFAULT 'Asia/Shanghai'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations DROP COLUMN time_zone`);
  }
}
