import { isAsciiWordCode } from './char-fold';
import { Action, Severity } from './findings';
import { NormalizedText, normalizeInto } from './normalizer';

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
  /** Allow phrases (their ids) that suppress this term; null when it has none. */
  allowIds: Int32Array | null;
  next: Rule | null;
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
}

interface Normalized {
  codes: Int32Array;
  runs: Uint16Array | null;
  /** Identity of the folded sequence (what the automaton matches). */
  patternKey: string;
  /** Identity including run counts (谢 and 谢谢 are different terms on the same pattern). */
  termKey: string;
}

/** Reused while compiling, so a term costs two small arrays instead of a whole buffer. */
const termBuffer = new NormalizedText(64);

function normalizeTerm(term: string): Normalized {
  const { codes, runs } = normalizeInto(term, termBuffer).snapshot();
  // Joined numbers rather than String.fromCodePoint(...codes): no argument limit for absurdly long terms.
  const patternKey = codes.join(',');
  const repeated = runs.some((run) => run > 1);
  return {
    codes,
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
export function compileLexicon(layers: readonly LexiconLayer[]): CompiledLexicon {
  const skipped: SkippedEntry[] = [];
  const terms = new Map<string, { entry: LexiconEntry; layer: string; normalized: Normalized }>();
  for (const { layer, entries } of layers) {
    for (const entry of entries) {
      const normalized = normalizeTerm(entry.term);
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
    const normalized = normalizeTerm(phrase);
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

  for (const { entry, layer, normalized } of terms.values()) {
    const wholeWord = entry.wholeWord ?? true;
    const ids = (entry.allowPhrases ?? []).map(allowIdOf).filter((id): id is number => id !== undefined);
    attach(normalized, {
      kind: 'term',
      entry,
      layer,
      runs: normalized.runs,
      wordStart: wholeWord && isAsciiWordCode(normalized.codes[0]),
      wordEnd: wholeWord && isAsciiWordCode(normalized.codes[normalized.codes.length - 1]),
      allowIds: ids.length > 0 ? Int32Array.from(new Set(ids)) : null,
      next: null,
    });
  }
  return { patterns, rules, termCount: terms.size, allowCount: allowIds.size, longestAllow, skipped };
}
