import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Satisfaction surveys (issue 14): one survey per ticket resolution, its token stored only as a
 * SHA-256 hash, the answer (CSAT 1–5, optional NPS 0–10, comment), the delivery through the ticket's
 * channel connector, the follow-up task a low score opens for the unit's supervisors, and the
 * per-organization settings (token lifetime, whether NPS is asked).
 */
export class CreateSatisfactionSurveys1764900000000 implements MigrationInterface {
  name = 'CreateSatisfactionSurveys1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE satisfaction_settings (
        org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        expiry_days integer NOT NULL DEFAULT 7 CHECK (expiry_days BETWEEN 1 AND 90),
        nps text NOT NULL DEFAULT 'optional' CHECK (nps IN ('off', 'optional', 'required')),
        updated_at timestamptz(3) NOT NULL
      )`);

    await q.query(`
      CREATE TABLE satisfaction_surveys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL,
        resolution_seq bigint NOT NULL UNIQUE,
        unit_id uuid NOT NULL,
        agent_id uuid REFERENCES users(id),
        ticket_type text NOT NULL,
        channel text NOT NULL,
        customer_id uuid,
        subject text NOT NULL,
        recipient text,
        token_hash bytea NOT NULL UNIQUE,
        nps_mode text NOT NULL CHECK (nps_mode IN ('off', 'optional', 'required')),
        sent_at timestamptz(3) NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        outbox_event_id bigint,
        connector text,
        message_subject text,
        message_body text,
        delivered_at timestamptz(3),
        answered_at timestamptz(3),
        csat smallint CHECK (csat BETWEEN 1 AND 5),
        nps smallint CHECK (nps BETWEEN 0 AND 10),
        comment text,
        UNIQUE (org_id, id),
        CHECK ((answered_at IS NULL) = (csat IS NULL)),
        FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, unit_id) REFERENCES org_units (org_id, id)
      )`);
    await q.query(`CREATE INDEX satisfaction_surveys_org_sent ON satisfaction_surveys (org_id, sent_at, id)`);
    await q.query(
      `CREATE INDEX satisfaction_surveys_ticket ON satisfaction_surveys (org_id, ticket_id, sent_at DESC)`,
    );
    await q.query(
      `CREATE INDEX satisfaction_surveys_customer ON satisfaction_surveys (org_id, customer_id, sent_at DESC)
         WHERE customer_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE satisfaction_follow_ups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        survey_id uuid NOT NULL UNIQUE,
        ticket_id uuid NOT NULL,
        unit_id uuid NOT NULL,
        supervisor_ids uuid[] NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
        created_at timestamptz(3) NOT NULL,
        FOREIGN KEY (org_id, survey_id) REFERENCES satisfaction_surveys (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX satisfaction_follow_ups_org ON satisfaction_follow_ups (org_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE satisfaction_follow_ups`);
    await q.query(`DROP TABLE satisfaction_surveys`);
    await q.query(`DROP TABLE satisfaction_settings`);
  }
}
