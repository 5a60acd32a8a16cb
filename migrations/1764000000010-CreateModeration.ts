import { MigrationInterface, QueryRunner } from 'typeorm';

/** The key of the platform lexicon in `lexicon_id` columns: organization lexicons use the org's id. */
const PLATFORM_LEXICON = `'00000000-0000-0000-0000-000000000000'::uuid`;

/**
 * Sensitive-word lexicons and moderation policies.
 *
 * - `sensitive_words`: one row per term; `org_id` NULL is the platform lexicon. `lexicon_id` is the
 *   same thing as a NOT NULL key (the nil UUID for the platform), so uniqueness and lookups are plain
 *   indexes. `term_key` is the term as the matcher sees it (case, width, traditional characters,
 *   symbols and repetitions folded, computed by the app), so 最佳 and 最 佳 cannot both be stored.
 * - `sensitive_word_lexicons`: one row per lexicon with a version bumped in the same transaction as
 *   every change; API replicas compare it to decide whether their built automaton is current.
 * - `sensitive_word_seeds`: the seeded platform entries ever applied, so a term platform staff deleted
 *   is not put back by the next boot (the seeding itself runs at boot, see docs/moderation.md).
 * - `moderation_policies`: per organization; no row means the defaults.
 */
export class CreateModeration1764000000010 implements MigrationInterface {
  name = 'CreateModeration1764000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sensitive_words (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid REFERENCES organizations (id),
        lexicon_id uuid NOT NULL GENERATED ALWAYS AS (coalesce(org_id, ${PLATFORM_LEXICON})) STORED,
        term varchar(100) NOT NULL CHECK (length(btrim(term)) > 0),
        term_key text NOT NULL CHECK (length(term_key) > 0),
        category varchar(64) NOT NULL,
        severity varchar(8) NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
        action varchar(8) NOT NULL CHECK (action IN ('block', 'review', 'flag')),
        allow_phrases varchar(100)[] NOT NULL DEFAULT '{}',
        hint varchar(500),
        created_by uuid,
        updated_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX sensitive_words_term_key ON sensitive_words (lexicon_id, term_key)`);
    await q.query(
      `CREATE INDEX sensitive_words_lexicon_idx ON sensitive_words (lexicon_id, created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE sensitive_word_lexicons (
        lexicon_id uuid GENERATED ALWAYS AS (coalesce(org_id, ${PLATFORM_LEXICON})) STORED PRIMARY KEY,
        org_id uuid UNIQUE REFERENCES organizations (id),
        version bigint NOT NULL DEFAULT 1,
        seed_version varchar(32),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO sensitive_word_lexicons (org_id, version) VALUES (NULL, 1)`);

    await q.query(`
      CREATE TABLE sensitive_word_seeds (
        seed_key varchar(200) PRIMARY KEY,
        seed_version varchar(32) NOT NULL,
        applied_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE moderation_policies (
        org_id uuid PRIMARY KEY REFERENCES organizations (id),
        organization_review boolean NOT NULL DEFAULT false,
        skip_manual_review_for_low_risk boolean NOT NULL DEFAULT false,
        absolute_terms_action varchar(8) NOT NULL DEFAULT 'review'
          CHECK (absolute_terms_action IN ('review', 'block')),
        updated_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE moderation_policies`);
    await q.query(`DROP TABLE sensitive_word_seeds`);
    await q.query(`DROP TABLE sensitive_word_lexicons`);
    await q.query(`DROP TABLE sensitive_words`);
  }
}
