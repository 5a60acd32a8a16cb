import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { SEED_LEXICON, SEED_LEXICON_VERSION } from './engine';
import { bumpLexiconVersion, PLATFORM_LEXICON_ID } from './lexicon-versions';
import { TERM_KEY_VERSION, termKeyOf } from './word-rules';

/**
 * Seeds the platform lexicon from `SEED_LEXICON` at boot, idempotently, rather than in a migration: the
 * seed list evolves with the code (its `SEED_LEXICON_VERSION`), and a migration would freeze whatever
 * the list held when it first ran. Each seeded entry is remembered by its seed key, so a new seed
 * version adds only entries never seeded before: a term staff deleted or edited stays as they left it.
 * Replicas booting together take turns on the platform lexicon row; the loser finds the work done.
 * It runs before the first version read of the process (`LexiconEngines` warms up at boot).
 *
 * A seeded entry nobody has edited since (no `updated_by`) follows the seed: a new seed version
 * updates its category, severity, action, allow phrases, hint and pinyin settings.
 *
 * It also keeps term keys current: when the normalizer's folds change (`TERM_KEY_VERSION`), every
 * stored key of every lexicon is recomputed in the same transaction, as the folds live in code.
 */
@Injectable()
export class PlatformLexiconSeeder {
  private readonly logger = new Logger('PlatformLexiconSeeder');
  private seeding: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Resolves once this process has made sure the current seed version is applied. */
  ensureSeeded(): Promise<void> {
    this.seeding ??= this.seed().catch((error: unknown) => {
      this.seeding = null;
      throw error;
    });
    return this.seeding;
  }

  private async seed(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [lexicon]: { seed_version: string | null; key_version: string | null }[] = await manager.query(
        'SELECT seed_version, key_version FROM sensitive_word_lexicons WHERE lexicon_id = $1 FOR UPDATE',
        [PLATFORM_LEXICON_ID],
      );
      const now = this.clock.now();
      if (lexicon?.key_version !== TERM_KEY_VERSION) await this.rekey(manager, now);
      if (lexicon?.seed_version === SEED_LEXICON_VERSION) return;
      const entries = SEED_LEXICON.map((entry) => ({
        seed_key: entry.id ?? `seed:${entry.term}`,
        term: entry.term,
        term_key: termKeyOf(entry.term),
        category: entry.category,
        severity: entry.severity,
        action: entry.action,
        allow_phrases: entry.allowPhrases ?? [],
        hint: entry.hint ?? null,
        pinyin: entry.pinyin ?? null,
        pinyin_action: entry.pinyinAction ?? null,
      }));
      const columns = `seed_key text, term text, term_key text, category text, severity text, action text,
                       allow_phrases varchar(100)[], hint text, pinyin boolean, pinyin_action text`;
      const inserted: unknown[] = await manager.query(
        `INSERT INTO sensitive_words (org_id, term, term_key, category, severity, action, allow_phrases, hint,
                                      pinyin, pinyin_action, created_at, updated_at)
         SELECT NULL, s.term, s.term_key, s.category, s.severity, s.action, s.allow_phrases, s.hint,
                s.pinyin, s.pinyin_action, $2, $2
         FROM jsonb_to_recordset($1::jsonb) AS s(${columns})
         WHERE NOT EXISTS (SELECT 1 FROM sensitive_word_seeds d WHERE d.seed_key = s.seed_key)
         ON CONFLICT (lexicon_id, term_key) DO NOTHING
         RETURNING id`,
        [JSON.stringify(entries), now],
      );
      // Seeded entries no person has touched follow the new seed; edited ones stay as staff left them.
      const refreshed: unknown[] = await manager.query(
        `UPDATE sensitive_words w
         SET category = s.category, severity = s.severity, action = s.action, allow_phrases = s.allow_phrases,
             hint = s.hint, pinyin = s.pinyin, pinyin_action = s.pinyin_action, updated_at = $3,
             version = w.version + 1
         FROM jsonb_to_recordset($1::jsonb) AS s(${columns})
         WHERE w.lexicon_id = $2 AND w.term_key = s.term_key AND w.created_by IS NULL AND w.updated_by IS NULL
           AND EXISTS (SELECT 1 FROM sensitive_word_seeds d WHERE d.seed_key = s.seed_key)
           AND (w.category, w.severity, w.action, w.allow_phrases, w.hint, w.pinyin, w.pinyin_action)
               IS DISTINCT FROM (s.category, s.severity, s.action, s.allow_phrases, s.hint, s.pinyin, s.pinyin_action)
         RETURNING w.id`,
        [JSON.stringify(entries), PLATFORM_LEXICON_ID, now],
      );
      await manager.query(
        `INSERT INTO sensitive_word_seeds (seed_key, seed_version, applied_at)
         SELECT unnest($1::varchar[]), $2, $3 ON CONFLICT (seed_key) DO NOTHING`,
        [entries.map((e) => e.seed_key), SEED_LEXICON_VERSION, now],
      );
      if (inserted.length + refreshed.length > 0) await bumpLexiconVersion(manager, null, now);
      await manager.query('UPDATE sensitive_word_lexicons SET seed_version = $2 WHERE lexicon_id = $1', [
        PLATFORM_LEXICON_ID,
        SEED_LEXICON_VERSION,
      ]);
      this.logger.log(
        `Seeded the platform lexicon (${SEED_LEXICON_VERSION}): ${inserted.length} new, ${refreshed.length} updated`,
      );
    });
  }

  /**
   * Recomputes every stored term key with the current normalizer, lexicon by lexicon. Two terms of one
   * lexicon that the new folds make one (第一 and 第1) cannot share a key: the older keeps it and the
   * newer gets its id appended, so nothing is lost and the engine treats them as one term (the newer
   * entry wins, as for any two entries with one normalized term). Changed keys first move aside, so
   * swapping keys between rows never trips the unique index mid-statement.
   */
  private async rekey(manager: EntityManager, now: Date): Promise<void> {
    const rows: { id: string; lexicon_id: string; term: string; term_key: string }[] = await manager.query(
      'SELECT id, lexicon_id, term, term_key FROM sensitive_words ORDER BY lexicon_id, created_at, id',
    );
    const taken = new Set<string>();
    const changes: { id: string; term_key: string }[] = [];
    const lexicons = new Set<string>();
    for (const row of rows) {
      let key = termKeyOf(row.term);
      if (taken.has(`${row.lexicon_id}/${key}`)) key = `${key}#${row.id}`;
      taken.add(`${row.lexicon_id}/${key}`);
      if (key !== row.term_key) {
        changes.push({ id: row.id, term_key: key });
        lexicons.add(row.lexicon_id);
      }
    }
    if (changes.length > 0) {
      const ids = changes.map((change) => change.id);
      await manager.query(
        `UPDATE sensitive_words SET term_key = '#' || id::text WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      await manager.query(
        `UPDATE sensitive_words w SET term_key = c.term_key
         FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, term_key text) WHERE w.id = c.id`,
        [JSON.stringify(changes)],
      );
      // The engines of those lexicons are built from the same rows, but the version marks the change.
      await manager.query(
        `UPDATE sensitive_word_lexicons SET version = version + 1, updated_at = $2 WHERE lexicon_id = ANY($1::uuid[])`,
        [[...lexicons], now],
      );
    }
    await manager.query('UPDATE sensitive_word_lexicons SET key_version = $2 WHERE lexicon_id = $1', [
      PLATFORM_LEXICON_ID,
      TERM_KEY_VERSION,
    ]);
    if (changes.length > 0) this.logger.log(`Recomputed ${changes.length} term keys (${TERM_KEY_VERSION})`);
  }
}
