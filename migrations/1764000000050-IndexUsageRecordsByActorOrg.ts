import { MigrationInterface, QueryRunner } from 'typeorm';

/** Reveal anomaly checks read an organization's recent actions by hour: index them by acting organization. */
export class IndexUsageRecordsByActorOrg1764000000050 implements MigrationInterface {
  name = 'IndexUsageRecordsByActorOrg1764000000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX account_usage_records_actor_org_idx ON account_usage_records (actor_org_id, occurred_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX account_usage_records_actor_org_idx`);
  }
}
