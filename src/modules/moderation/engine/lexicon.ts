import { FoldTable, foldTable, isAsciiDigitCode, isAsciiWordCode, isChineseDigit } from './char-fold';
import { Action, Severity } from './findings';
import { normalize, NormalizedText, normalizeInto } from './normalizer';
import { PinyinTable, termSyllables } from './pinyin-table';

export interface LexiconEntry {
  id?: string;
  term: string;
  category: string;
  severity: Severity;
  action: Action;
  /** Longer phrases containing the term in which it is legitimate (最佳 in 最佳赏味期). */
  allowPhrases?: string[];
  hint?: string;
  /**
   * Whether a term that starts or ends with a Latin letter or digit must stand as a word at that end
   * (default true): NO.1 must not fire inside "NO.10" nor SB inside "USB". Chinese has no word
   * boundaries, so this never affects a Chinese end of a term.
   */
  wholeWord?: boolean;
  /**
   * Whether the term also matches by sound: its pinyin written out (zuijia, zui jia, 加weixin) and its
   * homophones (醉佳 for 最佳). Undefined: the category's default (`pinyinByDefault`).
   */
  pinyin?: boolean;
  /**
   * The action of a match by sound. Undefined: `review`, or `flag` for a term that only flags. A
   * homophone is a guess, so it never blocks unless the term says so here.
   */
  pinyinAction?: Action;
}

/**
 * Categories whose terms match by sound unless they say otherwise: people write contact, fraud and
 * gambling terms in pinyin or homophones precisely to slip them past a filter. Advertising Law terms
 * are on only where the term asks for it (short ones such as 第一 have common homophones: 低一点).
 */
export const PINYIN_CATEGORIES: readonly string[] = ['contact_diversion', 'fraud', 'gambling'];

export function pinyinByDefault(category: string): boolean {
  return PINYIN_CATEGORIES.some((root) => category === root || category.startsWith(`${root}.`));
}

/**
 * Below this many characters a term matches by sound only when it says so: two syllables collide with
 * ordinary words all the time (赌资 and 肚子, 博彩 and 菠菜, 赌马 and the 都马 of 成都马拉松).
 */
export const PINYIN_DEFAULT_MIN_LENGTH = 3;

export function pinyinEnabled(entry: LexiconEntry, length = PINYIN_DEFAULT_MIN_LENGTH): boolean {
  return entry.pinyin ?? (pinyinByDefault(entry.category) && length >= PINYIN_DEFAULT_MIN_LENGTH);
}

export function pinyinActionOf(entry: LexiconEntry): Action {
  return entry.pinyinAction ?? (entry.action === 'flag' ? 'flag' : 'review');
}

/** One source of entries; later layers override earlier ones (platform, then the organization's). */
export interface LexiconLayer {
  layer: string;
  entries: readonly LexiconEntry[];
}

/** An entry whose term has no letter or digit left after normalization, so can never match. */
export interface SkippedEntry {
  layer: string;
  entry: LexiconEntry;
  reason: 'empty_after_normalization';
}

/** What one automaton pattern means: a chain of rules, usually just one. */
export type Rule = TermRule | AllowRule;

export interface TermRule {
  kind: 'term';
  entry: LexiconEntry;
  layer: string;
  /** Minimum repetitions per normalized character (谢谢 → [2]); null when all are 1. */
  runs: Uint16Array | null;
  wordStart: boolean;
  wordEnd: boolean;
  /**
   * Positions of the term holding a digit (of any style), or null. A digit must repeat exactly as
   * often as in the term (第11 is not 第1), and a digit at an end must not continue a number
   * (全网第10 is not 全网第一).
   */
  digits: Uint8Array | null;
  /**
   * The term as written, per normalized character (its original code point, and 1 where it had a
   * gap), to explain a finding. Filled on the first finding (`writtenForm`): most terms never match,
   * and 50,000 pairs of arrays would only cost build time.
   */
  written: { codes: Int32Array; gaps: Uint8Array } | null;
  /** Allow phrases (their ids) that suppress this term; null when it has none. */
  allowIds: Int32Array | null;
  next: Rule | null;
}

/** What a pinyin pattern means: the terms that sound like it. */
export interface PhoneticRule {
  entry: LexiconEntry;
  layer: string;
  /** The term's folded characters, to tell a homophone (other characters) from the term itself. */
  codes: Int32Array;
  action: Action;
  /**
   * The term's allow phrases, folded: a match by sound is allowed where one of them stands in the
   * text around it. An allow phrase may contain the term by sound only (增加威信 for 加微信).
   */
  allowPhrases: Int32Array[] | null;
  next: PhoneticRule | null;
}

export interface AllowRule {
  kind: 'allow';
  allowId: number;
  runs: Uint16Array | null;
  next: Rule | null;
}

export interface CompiledLexicon {
  patterns: Int32Array[];
  /** patterns[i] → first rule of the chain for that pattern. */
  rules: Rule[];
  termCount: number;
  allowCount: number;
  /** Normalized length of the longest allow phrase (0 without any). */
  longestAllow: number;
  skipped: SkippedEntry[];
  /** Syllable sequences of the terms that match by sound, and what each means. */
  phoneticPatterns: Int32Array[];
  phoneticRules: PhoneticRule[];
}

interface Normalized {
  codes: Int32Array;
  /** Where in the term each folded character came from (the 一 of 第一 for its 1). */
  starts: Int32Array;
  term: string;
  runs: Uint16Array | null;
  /** Identity of the folded sequence (what the automaton matches). */
  patternKey: string;
  /** Identity including run counts (谢 and 谢谢 are different terms on the same pattern). */
  termKey: string;
}

/** Reused while compiling, so a term costs two small arrays instead of a whole buffer. */
const termBuffer = new NormalizedText(64);

function normalizeTerm(term: string, folds: FoldTable): Normalized {
  const normalized = normalizeInto(term, termBuffer, folds);
  const starts = normalized.starts.slice(0, normalized.length);
  const { codes, runs } = normalized.snapshot();
  // Joined numbers rather than String.fromCodePoint(...codes): no argument limit for absurdly long terms.
  const patternKey = codes.join(',');
  const repeated = runs.some((run) => run > 1);
  return {
    codes,
    starts,
    term,
    runs: repeated ? runs : null,
    patternKey,
    termKey: repeated ? `${patternKey}/${runs.join(',')}` : patternKey,
  };
}

/**
 * Turns layers of entries into automaton patterns and the rules that say what a match means. Entries
 * are identified by their normalized term, so 最佳, ＮＯ．１ and 最 佳 are one term; a later entry with
 * the same normalized term replaces an earlier one, which is how an organization overrides (or
 * downgrades) a platform entry.
 */
/**
 * Whether `phrase` contains `term` when both are read aloud (first readings, digits as numerals):
 * an allow phrase of a term that matches by sound may hold a homophone of it (增加威信 for 加微信).
 */
export function containsBySound(
  pinyinData: PinyinTable,
  phrase: string,
  term: string,
  folds: FoldTable = foldTable(),
): boolean {
  const read = (text: string): Int32Array | null => {
    const normalized = normalizeTerm(text, folds);
    return termSyllables(pinyinData, normalized.codes, normalized.term, normalized.starts);
  };
  const outer = read(phrase);
  const inner = read(term);
  if (!outer || !inner || inner.length === 0) return false;
  for (let at = 0; at + inner.length <= outer.length; at += 1) {
    if (inner.every((syllable, k) => outer[at + k] === syllable)) return true;
  }
  return false;
}

/** The term of a rule as written (see `TermRule.written`), computed once. */
export function writtenForm(rule: TermRule, folds: FoldTable): { codes: Int32Array; gaps: Uint8Array } {
  if (rule.written) return rule.written;
  const normalized = normalize(rule.entry.term, folds);
  rule.written = {
    codes: Int32Array.from(
      { length: normalized.length },
      (_, k) => rule.entry.term.codePointAt(normalized.starts[k]) as number,
    ),
    gaps: normalized.gaps.slice(0, normalized.length),
  };
  return rule.written;
}

export function compileLexicon(
  layers: readonly LexiconLayer[],
  folds: FoldTable = foldTable(),
  pinyinData: PinyinTable | null = null,
): CompiledLexicon {
  const skipped: SkippedEntry[] = [];
  const terms = new Map<string, { entry: LexiconEntry; layer: string; normalized: Normalized }>();
  for (const { layer, entries } of layers) {
    for (const entry of entries) {
      const normalized = normalizeTerm(entry.term, folds);
      if (normalized.codes.length === 0) {
        skipped.push({ layer, entry, reason: 'empty_after_normalization' });
        continue;
      }
      terms.set(normalized.termKey, { entry, layer, normalized });
    }
  }

  const patterns: Int32Array[] = [];
  const rules: Rule[] = [];
  const patternIndex = new Map<string, number>();
  const attach = (normalized: Normalized, rule: Rule): void => {
    let index = patternIndex.get(normalized.patternKey);
    if (index === undefined) {
      index = patterns.length;
      patternIndex.set(normalized.patternKey, index);
      patterns.push(normalized.codes);
      rules.push(rule);
    } else {
      rule.next = rules[index];
      rules[index] = rule;
    }
  };

  const allowIds = new Map<string, number>();
  let longestAllow = 0;
  const allowIdOf = (phrase: string): number | undefined => {
    const normalized = normalizeTerm(phrase, folds);
    if (normalized.codes.length === 0) return undefined;
    longestAllow = Math.max(longestAllow, normalized.codes.length);
    let id = allowIds.get(normalized.termKey);
    if (id === undefined) {
      id = allowIds.size;
      allowIds.set(normalized.termKey, id);
      attach(normalized, { kind: 'allow', allowId: id, runs: normalized.runs, next: null });
    }
    return id;
  };

  const phoneticPatterns: Int32Array[] = [];
  const phoneticRules: PhoneticRule[] = [];
  const phoneticIndex = new Map<string, number>();

  for (const { entry, layer, normalized } of terms.values()) {
    const wholeWord = entry.wholeWord ?? true;
    const ids = (entry.allowPhrases ?? []).map(allowIdOf).filter((id): id is number => id !== undefined);
    const allow = ids.length > 0 ? Int32Array.from(new Set(ids)) : null;
    const { codes, starts, term } = normalized;
    const last = codes.length - 1;
    // A Chinese numeral folds to a digit but is no Latin word: 全网第一 is not a word of letters.
    const latinAt = (k: number): boolean =>
      isAsciiWordCode(codes[k]) && !isChineseDigit(term.codePointAt(starts[k]) as number);
    const digits = codes.some(isAsciiDigitCode)
      ? Uint8Array.from(codes, (code) => (isAsciiDigitCode(code) ? 1 : 0))
      : null;
    attach(normalized, {
      kind: 'term',
      entry,
      layer,
      runs: normalized.runs,
      wordStart: wholeWord && latinAt(0),
      wordEnd: wholeWord && latinAt(last),
      digits,
      written: null,
      allowIds: allow,
      next: null,
    });
    // A term with a doubled character (谢谢) keeps to its written form: its sound would drop the count.
    if (!pinyinData || !pinyinEnabled(entry, codes.length) || normalized.runs) continue;
    const syllables = termSyllables(pinyinData, codes, term, starts);
    if (!syllables) continue;
    const key = syllables.join(',');
    const phrases = (entry.allowPhrases ?? [])
      .map((phrase) => normalizeTerm(phrase, folds).codes)
      .filter((phrase) => phrase.length > 0);
    const rule: PhoneticRule = {
      entry,
      layer,
      codes,
      action: pinyinActionOf(entry),
      allowPhrases: phrases.length > 0 ? phrases : null,
      next: null,
    };
    const index = phoneticIndex.get(key);
    if (index === undefined) {
      phoneticIndex.set(key, phoneticPatterns.length);
      phoneticPatterns.push(syllables);
      phoneticRules.push(rule);
    } else {
      rule.next = phoneticRules[index];
      phoneticRules[index] = rule;
    }
  }
  return {
    patterns,
    rules,
    termCount: terms.size,
    allowCount: allowIds.size,
    longestAllow,
    skipped,
    phoneticPatterns,
    phoneticRules,
  };
}
