import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sensitive-word engine, second round: a term may match by sound (`pinyin`, null = its category's
 * default) with its own action (`pinyin_action`, null = review), and `key_version` on the lexicon rows
 * remembers which normalizer computed the stored `term_key`s. When the normalizer learns new folds
 * (Chinese numerals, look-alike letters, OpenCC's traditional characters), the keys are recomputed at
 * boot by `PlatformLexiconSeeder`, in code, since the folds live in code and not in SQL.
 */
export class AddSensitiveWordPinyin1764000000060 implements MigrationInterface {
  name = 'AddSensitiveWordPinyin1764000000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sensitive_words ADD COLUMN pinyin boolean`);
    await q.query(
      `ALTER TABLE sensitive_words ADD COLUMN pinyin_action varchar(8)
         CHECK (pinyin_action IN ('block', 'review', 'flag'))`,
    );
    await q.query(`ALTER TABLE sensitive_word_lexicons ADD COLUMN key_version varchar(32)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sensitive_word_lexicons DROP COLUMN key_version`);
    await q.query(`ALTER TABLE sensitive_words DROP COLUMN pinyin_action`);
    await q.query(`ALTER TABLE sensitive_words DROP COLUMN pinyin`);
  }
}
