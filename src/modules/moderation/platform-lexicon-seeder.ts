import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { SEED_LEXICON, SEED_LEXICON_VERSION } from './engine';
import { bumpLexiconVersion, PLATFORM_LEXICON_ID } from './lexicon-versions';
import { termKeyOf } from './word-rules';

/**
 * Seeds the platform lexicon from `SEED_LEXICON` at boot, idempotently, rather than in a migration: the
 * seed list evolves with the code (its `SEED_LEXICON_VERSION`), and a migration would freeze whatever
 * the list held when it first ran. Each seeded entry is remembered by its seed key, so a new seed
 * version adds only entries never seeded before: a term staff deleted or edited stays as they left it.
 * Replicas booting together take turns on the platform lexicon row; the loser finds the work done.
 * It runs before the first version read of the process (`LexiconEngines` warms up at boot).
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
      const [lexicon]: { seed_version: string | null }[] = await manager.query(
        'SELECT seed_version FROM sensitive_word_lexicons WHERE lexicon_id = $1 FOR UPDATE',
        [PLATFORM_LEXICON_ID],
      );
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
      }));
      const now = this.clock.now();
      const inserted: unknown[] = await manager.query(
        `INSERT INTO sensitive_words (org_id, term, term_key, category, severity, action, allow_phrases, hint,
                                      created_at, updated_at)
         SELECT NULL, s.term, s.term_key, s.category, s.severity, s.action, s.allow_phrases, s.hint, $2, $2
         FROM jsonb_to_recordset($1::jsonb) AS s(seed_key text, term text, term_key text, category text,
                                                 severity text, action text, allow_phrases varchar(100)[], hint text)
         WHERE NOT EXISTS (SELECT 1 FROM sensitive_word_seeds d WHERE d.seed_key = s.seed_key)
         ON CONFLICT (lexicon_id, term_key) DO NOTHING
         RETURNING id`,
        [JSON.stringify(entries), now],
      );
      await manager.query(
        `INSERT INTO sensitive_word_seeds (seed_key, seed_version, applied_at)
         SELECT unnest($1::varchar[]), $2, $3 ON CONFLICT (seed_key) DO NOTHING`,
        [entries.map((e) => e.seed_key), SEED_LEXICON_VERSION, now],
      );
      if (inserted.length > 0) await bumpLexiconVersion(manager, null, now);
      await manager.query('UPDATE sensitive_word_lexicons SET seed_version = $2 WHERE lexicon_id = $1', [
        PLATFORM_LEXICON_ID,
        SEED_LEXICON_VERSION,
      ]);
      this.logger.log(`Seeded the platform lexicon (${SEED_LEXICON_VERSION}): ${inserted.length} new terms`);
    });
  }
}
