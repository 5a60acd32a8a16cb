import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A contact point of kind `analytics`: the `userId` a customer carries in the organization's tracked
 * events. It links the profile to its purchases in analytics (lifetime value), is unique per
 * organization like every contact point, and moves with the others when profiles merge.
 */
export class AddAnalyticsContactPoints1764920000000 implements MigrationInterface {
  name = 'AddAnalyticsContactPoints1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_contact_points DROP CONSTRAINT customer_contact_points_kind_check`);
    await q.query(
      `ALTER TABLE customer_contact_points ADD CONSTRAINT customer_contact_points_kind_check
         CHECK (kind IN ('phone', 'email', 'douyin', 'wechat', 'analytics'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // The links go with the kind; the profiles and their entered lifetime values stay.
    await q.query(`DELETE FROM customer_contact_points WHERE kind = 'analytics'`);
    await q.query(`ALTER TABLE customer_contact_points DROP CONSTRAINT customer_contact_points_kind_check`);
    await q.query(
      `ALTER TABLE customer_contact_points ADD CONSTRAINT customer_contact_points_kind_check
         CHECK (kind IN ('phone', 'email', 'douyin', 'wechat'))`,
    );
  }
}
