import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers' lifetime values sum the purchases of their analytics user ids: one index-only lookup per
 * page of customers instead of a scan of the organization's events.
 */
export class IndexAnalyticsPurchasesByUser1764920000001 implements MigrationInterface {
  name = 'IndexAnalyticsPurchasesByUser1764920000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX analytics_events_purchases_by_user_idx ON analytics_events (org_id, user_id)
         INCLUDE (amount_fen) WHERE type = 'purchase' AND user_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX analytics_events_purchases_by_user_idx`);
  }
}
