import { DomainError, ErrorCode } from '../../platform/errors';
import { Action, containsBySound, normalize, normalizedString, pinyinTable, Severity } from './engine';
import type { WordValues } from './sensitive-word-writes';

/**
 * The rules a term must satisfy beyond its shape (which the DTO checks), shared by the single-word
 * endpoints and the import so the two cannot drift apart.
 */

/**
 * The identity of a term as the matcher sees it: its normalized characters, each followed by its
 * repetition count when above one (谢谢 → `谢{2}`; normalized text holds only letters and digits, so
 * the braces cannot be confused with it). Two terms with the same key are the same term to the engine,
 * so a lexicon may hold only one of them: 最佳, 最 佳 and ＊最佳＊ all have the key `最佳`.
 */
/**
 * Names the normalizer that computes term keys. Bump it whenever the folds change, so the stored keys
 * are recomputed at boot (`PlatformLexiconSeeder`). keys-2: Chinese numerals and digit styles, Latin
 * look-alikes, OpenCC's traditional characters.
 */
export const TERM_KEY_VERSION = 'keys-2';

export function termKeyOf(term: string): string {
  const normalized = normalize(term);
  let key = '';
  for (let i = 0; i < normalized.length; i += 1) {
    key += String.fromCodePoint(normalized.codes[i]);
    if (normalized.runs[i] > 1) key += `{${normalized.runs[i]}}`;
  }
  return key;
}

export type WordProblem =
  | { reason: 'empty_after_normalization'; field: string; message: string }
  | { reason: 'allow_phrase_mismatch'; field: string; message: string };

/** Why a term and its allow phrases cannot work, or null when they can. */
export function wordProblem(term: string, allowPhrases: readonly string[]): WordProblem | null {
  const core = normalizedString(term);
  if (core.length === 0) {
    return {
      reason: 'empty_after_normalization',
      field: 'term',
      message:
        'has no letter or digit: punctuation, symbols, emoji and spaces are ignored when matching, ' +
        'so this term could never match anything',
    };
  }
  for (const [index, phrase] of allowPhrases.entries()) {
    // A phrase may also hold the term by sound (增加威信 for 加微信): it allows matches by sound there.
    if (!normalizedString(phrase).includes(core) && !containsBySound(pinyinTable(), phrase, term)) {
      return {
        reason: 'allow_phrase_mismatch',
        field: `allowPhrases.${index}`,
        message: `"${phrase}" does not contain the term (nor its sound), so it could never allow it`,
      };
    }
  }
  return null;
}

/** The same check for a single write: a 422 that names the field. */
export function assertWordUsable(term: string, allowPhrases: readonly string[]): void {
  const problem = wordProblem(term, allowPhrases);
  if (!problem) return;
  const detail =
    problem.reason === 'empty_after_normalization'
      ? 'The term normalizes to nothing: it has no letter or digit'
      : 'An allow phrase does not contain the term';
  throw new DomainError(ErrorCode.Unprocessable, detail, {
    errors: [{ field: problem.field, message: problem.message }],
  });
}

/** A word as a request or an import line gives it. */
export interface WordInput {
  term: string;
  category: string;
  severity: Severity;
  action: Action;
  allowPhrases?: readonly string[];
  hint?: string | null;
  pinyin?: boolean | null;
  pinyinAction?: Action | null;
}

/** What is stored for a word: its term key computed, allow phrases without repeats. */
export function toWordValues(input: WordInput): WordValues {
  return {
    term: input.term,
    termKey: termKeyOf(input.term),
    category: input.category,
    severity: input.severity,
    action: input.action,
    allowPhrases: [...new Set(input.allowPhrases ?? [])],
    hint: input.hint ?? null,
    pinyin: input.pinyin ?? null,
    pinyinAction: input.pinyinAction ?? null,
  };
}
