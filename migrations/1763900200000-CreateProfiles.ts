import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Real-name profiles, enterprise information and the platform's verification queue. Resident ID
 * numbers exist only as AES-256-GCM ciphertext (with the id of the key that sealed them) and a masked
 * copy; at most one request per subject is pending, enforced by partial unique indexes.
 */
export class CreateProfiles1763900200000 implements MigrationInterface {
  name = 'CreateProfiles1763900200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_profiles (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        real_name varchar(50) NOT NULL,
        gender varchar(8) NOT NULL CHECK (gender IN ('male', 'female')),
        birth_date date NOT NULL,
        id_number_ciphertext text NOT NULL,
        id_number_key_id varchar(32) NOT NULL,
        id_number_masked varchar(18) NOT NULL,
        mobile varchar(20),
        real_name_status varchar(16) NOT NULL DEFAULT 'unverified'
          CHECK (real_name_status IN ('unverified', 'pending', 'verified', 'rejected')),
        real_name_reason varchar(500),
        real_name_decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    // Re-encryption after a key rotation walks the rows still sealed with an old key.
    await q.query(`CREATE INDEX user_profiles_key_idx ON user_profiles (id_number_key_id)`);

    await q.query(`
      CREATE TABLE enterprise_profiles (
        org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        company_name varchar(200) NOT NULL,
        credit_code char(18) NOT NULL,
        contact_person varchar(50) NOT NULL,
        contact_phone varchar(24) NOT NULL,
        email varchar(254) NOT NULL,
        verification_status varchar(16) NOT NULL DEFAULT 'unverified'
          CHECK (verification_status IN ('unverified', 'pending', 'verified', 'rejected')),
        verification_reason varchar(500),
        verification_decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX enterprise_profiles_credit_code_idx ON enterprise_profiles (credit_code)`);

    await q.query(`
      CREATE TABLE verification_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL CHECK (kind IN ('real_name', 'enterprise')),
        subject_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        subject_org_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'verified', 'rejected', 'superseded')),
        snapshot jsonb NOT NULL,
        submitted_by uuid REFERENCES users(id),
        submitted_at timestamptz NOT NULL,
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz,
        reason varchar(500),
        note varchar(1000),
        CHECK ((kind = 'real_name' AND subject_user_id IS NOT NULL AND subject_org_id IS NULL)
            OR (kind = 'enterprise' AND subject_org_id IS NOT NULL AND subject_user_id IS NULL)),
        CHECK (status <> 'rejected' OR reason IS NOT NULL),
        CHECK ((status IN ('pending', 'superseded')) = (decided_at IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX verification_requests_pending_user_key ON verification_requests (subject_user_id) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX verification_requests_pending_org_key ON verification_requests (subject_org_id) WHERE status = 'pending'`,
    );
    // The review queue: by status (and kind), oldest first, keyset-paged on (submitted_at, id).
    await q.query(
      `CREATE INDEX verification_requests_queue_idx ON verification_requests (status, submitted_at, id)`,
    );
    await q.query(
      `CREATE INDEX verification_requests_kind_queue_idx ON verification_requests (kind, status, submitted_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE verification_requests`);
    await q.query(`DROP TABLE enterprise_profiles`);
    await q.query(`DROP TABLE user_profiles`);
  }
}
