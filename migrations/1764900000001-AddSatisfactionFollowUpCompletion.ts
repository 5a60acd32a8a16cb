import { MigrationInterface, QueryRunner } from 'typeorm';

/** A low-score follow-up is completed by a supervisor, with who, when and an optional note. */
export class AddSatisfactionFollowUpCompletion1764900000001 implements MigrationInterface {
  name = 'AddSatisfactionFollowUpCompletion1764900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE satisfaction_follow_ups
        ADD COLUMN csat smallint CHECK (csat BETWEEN 1 AND 5),
        ADD COLUMN completed_at timestamptz(3),
        ADD COLUMN completed_by uuid REFERENCES users(id),
        ADD COLUMN note text,
        ADD CONSTRAINT satisfaction_follow_ups_done CHECK ((status = 'done') = (completed_at IS NOT NULL))`);
    await q.query(
      `UPDATE satisfaction_follow_ups f SET csat = s.csat FROM satisfaction_surveys s WHERE s.id = f.survey_id`,
    );
    await q.query(`ALTER TABLE satisfaction_follow_ups ALTER COLUMN csat SET NOT NULL`);
    await q.query(
      `CREATE INDEX satisfaction_follow_ups_open ON satisfaction_follow_ups (org_id, status, created_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX satisfaction_follow_ups_open`);
    await q.query(`
      ALTER TABLE satisfaction_follow_ups
        DROP CONSTRAINT satisfaction_follow_ups_done,
        DROP COLUMN note,
        DROP COLUMN completed_by,
        DROP COLUMN completed_at,
        DROP COLUMN csat`);
  }
}
