import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What authentication keeps beside users and sessions: verification codes, refresh tokens (one family
 * per auth session), the login history and lockout counters, password-reset tokens and the record of
 * accepted legal documents. Secrets are stored only as hashes. Every time is written by the app's
 * clock, not by `now()`, so the rules that read them can be tested by moving the clock.
 */
export class CreateAuthTables1763900100000 implements MigrationInterface {
  name = 'CreateAuthTables1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE verification_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel varchar(8) NOT NULL CHECK (channel IN ('sms', 'email')),
        target varchar(254) NOT NULL,
        purpose varchar(32) NOT NULL CHECK (purpose IN ('register', 'password_reset')),
        code_hash char(64) NOT NULL,
        attempts smallint NOT NULL DEFAULT 0,
        max_attempts smallint NOT NULL,
        ip varchar(64),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
    await q.query(`CREATE INDEX verification_codes_target_idx ON verification_codes (target, created_at)`);
    await q.query(`CREATE INDEX verification_codes_ip_idx ON verification_codes (ip, created_at)`);
    await q.query(
      `CREATE INDEX verification_codes_lookup_idx ON verification_codes (channel, target, purpose, created_at DESC)`,
    );

    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);

    await q.query(`
      CREATE TABLE login_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES users(id),
        login varchar(254) NOT NULL,
        ip varchar(64) NOT NULL,
        user_agent varchar(512),
        result varchar(16) NOT NULL CHECK (result IN ('success', 'failure', 'locked', 'rate_limited')),
        reason varchar(32),
        session_id uuid REFERENCES auth_sessions(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX login_attempts_user_idx ON login_attempts (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, created_at)`);

    await q.query(`
      CREATE TABLE login_failures (
        login varchar(254) PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        locked_until timestamptz,
        updated_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE password_reset_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        token_hash char(64) NOT NULL UNIQUE,
        channel varchar(8) NOT NULL CHECK (channel IN ('sms', 'email')),
        ip varchar(64),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id, created_at)`,
    );

    await q.query(`
      CREATE TABLE agreement_acceptances (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        document varchar(16) NOT NULL CHECK (document IN ('terms', 'privacy')),
        version varchar(32) NOT NULL,
        accepted_at timestamptz NOT NULL,
        ip varchar(64),
        user_agent varchar(512)
      )`);
    await q.query(`CREATE INDEX agreement_acceptances_user_idx ON agreement_acceptances (user_id, document)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agreement_acceptances`);
    await q.query(`DROP TABLE password_reset_tokens`);
    await q.query(`DROP TABLE login_failures`);
    await q.query(`DROP TABLE login_attempts`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE verification_codes`);
  }
}
