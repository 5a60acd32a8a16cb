import { EntityManager } from 'typeorm';
import type { Action, Severity } from './engine';
import { lexiconIdOf } from './lexicon-versions';
import { SensitiveWord } from './sensitive-word.entity';

/**
 * The writes of a lexicon, shared by the single-word endpoints and the import (one statement for any
 * number of words). Callers hold the lexicon lock (`lockLexicon`) and bump its version.
 */

export interface WordValues {
  term: string;
  termKey: string;
  category: string;
  severity: Severity;
  action: Action;
  allowPhrases: string[];
  hint: string | null;
  /** Whether the term also matches by sound; null: its category's default. */
  pinyin: boolean | null;
  /** The action of a match by sound; null: review (flag for a flag term). */
  pinyinAction: Action | null;
}

const RECORD_COLUMNS = `term text, term_key text, category text, severity text, action text,
  allow_phrases varchar(100)[], hint text, pinyin boolean, pinyin_action text`;

const asRecord = (word: WordValues & { id?: string }) => ({
  id: word.id,
  term: word.term,
  term_key: word.termKey,
  category: word.category,
  severity: word.severity,
  action: word.action,
  allow_phrases: word.allowPhrases,
  hint: word.hint,
  pinyin: word.pinyin,
  pinyin_action: word.pinyinAction,
});

/** Inserts the words into the lexicon; returns their ids by term key. */
export async function insertWords(
  manager: EntityManager,
  orgId: string | null,
  actorUserId: string | null,
  words: readonly WordValues[],
  now: Date,
): Promise<Map<string, string>> {
  if (words.length === 0) return new Map();
  const rows: { id: string; term_key: string }[] = await manager.query(
    `INSERT INTO sensitive_words (org_id, term, term_key, category, severity, action, allow_phrases, hint,
                                  pinyin, pinyin_action, created_by, updated_by, created_at, updated_at)
     SELECT $1, w.term, w.term_key, w.category, w.severity, w.action, w.allow_phrases, w.hint,
            w.pinyin, w.pinyin_action, $2, $2, $3, $3
     FROM jsonb_to_recordset($4::jsonb) AS w(${RECORD_COLUMNS})
     RETURNING id, term_key`,
    [orgId, actorUserId, now, JSON.stringify(words.map(asRecord))],
  );
  return new Map(rows.map((row) => [row.term_key, row.id]));
}

/** Replaces the values of words of the lexicon (by id), bumping each word's version. */
export async function updateWords(
  manager: EntityManager,
  orgId: string | null,
  actorUserId: string | null,
  words: readonly (WordValues & { id: string })[],
  now: Date,
): Promise<void> {
  if (words.length === 0) return;
  await manager.query(
    `UPDATE sensitive_words s
     SET term = w.term, term_key = w.term_key, category = w.category, severity = w.severity, action = w.action,
         allow_phrases = w.allow_phrases, hint = w.hint, pinyin = w.pinyin, pinyin_action = w.pinyin_action,
         updated_by = $2, updated_at = $3, version = s.version + 1
     FROM jsonb_to_recordset($4::jsonb) AS w(id uuid, ${RECORD_COLUMNS})
     WHERE s.id = w.id AND s.lexicon_id = $1`,
    [lexiconIdOf(orgId), actorUserId, now, JSON.stringify(words.map(asRecord))],
  );
}

/** The words of the lexicon holding any of these term keys. */
export async function findByTermKeys(
  manager: EntityManager,
  orgId: string | null,
  termKeys: readonly string[],
): Promise<SensitiveWord[]> {
  if (termKeys.length === 0) return [];
  return manager
    .getRepository(SensitiveWord)
    .createQueryBuilder('w')
    .where('w.lexicon_id = :lexiconId AND w.term_key = ANY(:termKeys)', {
      lexiconId: lexiconIdOf(orgId),
      termKeys,
    })
    .getMany();
}

/** Whether a stored word already says what `values` say. */
export const sameValues = (word: SensitiveWord, values: WordValues): boolean =>
  word.term === values.term &&
  word.category === values.category &&
  word.severity === values.severity &&
  word.action === values.action &&
  word.hint === values.hint &&
  word.pinyin === values.pinyin &&
  word.pinyinAction === values.pinyinAction &&
  word.allowPhrases.length === values.allowPhrases.length &&
  word.allowPhrases.every((phrase, i) => phrase === values.allowPhrases[i]);
