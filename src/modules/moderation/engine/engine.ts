import {
  FOLD_CASE,
  FOLD_CONFUSABLE,
  FOLD_DIGIT_STYLE,
  FOLD_LETTER_STYLE,
  FOLD_TRADITIONAL,
  FoldSet,
  foldFlags,
  FoldTable,
  foldTable,
  isAsciiDigitCode,
  isAsciiWordCode,
  isChineseDigit,
} from './char-fold';
import { AllowHits } from './allow-hits';
import { AhoCorasick, MatchBuffer } from './automaton';
import { compareFindings, dropNestedTerms, dropRedundant, Finding, FoldName, FOLDS } from './findings';
import {
  compileLexicon,
  LexiconEntry,
  LexiconLayer,
  PhoneticRule,
  Rule,
  SkippedEntry,
  TermRule,
  writtenForm,
} from './lexicon';
import { NormalizedText, normalizeInto } from './normalizer';
import { detectPatterns } from './patterns';
import { PhoneticMatcher, PhoneticPath, PhoneticSink } from './phonetic-matcher';
import { pinyinTable } from './pinyin-table';

export interface EngineOptions {
  /** Run the personal-data and contact detectors too (default true). */
  patterns?: boolean;
  /**
   * `extended` (default): every fold, including digit styles and Chinese numerals, Latin look-alikes,
   * pinyin and homophones, and Chinese numerals in the number detectors. `basic`: without those, as
   * the engine was before them (the bench compares the two).
   */
  folds?: FoldSet;
}

/**
 * Scratch space shared by every engine of the process: `scan` runs to completion before anyone else
 * can call it (JavaScript is single-threaded and scan never yields), so one set of buffers is enough
 * however many lexicon versions are cached.
 */
const scratch = {
  normalized: new NormalizedText(1024),
  matches: new MatchBuffer(),
  allowed: new AllowHits(),
};
/** Above this many characters a buffer is dropped after use, so one huge document does not pin memory. */
const MAX_RETAINED_CAPACITY = 1 << 19;

const BIT_OF: Readonly<Record<number, FoldName>> = {
  [FOLD_CASE]: 'case',
  [FOLD_LETTER_STYLE]: 'letter_style',
  [FOLD_DIGIT_STYLE]: 'digit_style',
  [FOLD_CONFUSABLE]: 'confusable',
  [FOLD_TRADITIONAL]: 'traditional',
};
const FOLD_BITS = [FOLD_CASE, FOLD_LETTER_STYLE, FOLD_DIGIT_STYLE, FOLD_CONFUSABLE, FOLD_TRADITIONAL];

/** A match by sound, before it becomes a finding (the path is gone by then). */
interface PhoneticCandidate {
  rule: PhoneticRule;
  /** Normalized indices of the first and last character. */
  start: number;
  end: number;
  pinyin: boolean;
  homophone: boolean;
}

/**
 * The sensitive-word engine of one lexicon version: immutable after `build`, synchronous, no I/O, so
 * one instance can serve every request of a process.
 */
export class ModerationEngine {
  private constructor(
    readonly version: string,
    private readonly automaton: AhoCorasick,
    private readonly rules: readonly Rule[],
    /** Per pattern: 1 when an allow phrase ends a match of it (checked before terms). */
    private readonly allowPatterns: Uint8Array,
    /** Length of the longest allow phrase, which bounds where a covering phrase can end. */
    private readonly longestAllow: number,
    /** Distinct terms after merging layers. */
    readonly termCount: number,
    /** Entries that can never match (nothing left after normalization). */
    readonly skipped: readonly SkippedEntry[],
    private readonly withPatterns: boolean,
    private readonly folds: FoldTable,
    /** Matches by sound; null when no term asks for them (or with `basic` folds). */
    private readonly phonetic: PhoneticMatcher | null,
    private readonly phoneticRules: readonly PhoneticRule[],
  ) {}

  /**
   * Builds the engine from layers of entries, later layers overriding earlier ones on the same
   * normalized term (`[{ layer: 'platform', entries }, { layer: 'org', entries }]`), or from a plain
   * list of entries (one layer called `default`).
   */
  static build(
    source: readonly LexiconLayer[] | readonly LexiconEntry[],
    version: string,
    options: EngineOptions = {},
  ): ModerationEngine {
    const layers = isLayerList(source) ? source : [{ layer: 'default', entries: source }];
    const set = options.folds ?? 'extended';
    const folds = foldTable(set);
    const pinyinData = set === 'extended' ? pinyinTable() : null;
    const lexicon = compileLexicon(layers, folds, pinyinData);
    const allowPatterns = new Uint8Array(lexicon.rules.length);
    lexicon.rules.forEach((first, pattern) => {
      for (let rule: Rule | null = first; rule; rule = rule.next) {
        if (rule.kind === 'allow') allowPatterns[pattern] = 1;
      }
    });
    const phonetic =
      pinyinData && lexicon.phoneticPatterns.length > 0
        ? new PhoneticMatcher(
            AhoCorasick.build(lexicon.phoneticPatterns),
            lexicon.phoneticPatterns,
            pinyinData,
          )
        : null;
    return new ModerationEngine(
      version,
      AhoCorasick.build(lexicon.patterns),
      lexicon.rules,
      allowPatterns,
      lexicon.longestAllow,
      lexicon.termCount,
      lexicon.skipped,
      options.patterns ?? true,
      folds,
      phonetic,
      lexicon.phoneticRules,
    );
  }

  /** Bytes held by the matching structures (not counting the entries themselves). */
  get automatonBytes(): number {
    return (
      this.automaton.byteSize +
      (this.phonetic ? this.phonetic.automaton.byteSize + this.phonetic.byteSize : 0)
    );
  }

  /** Distinct pinyin patterns (terms that also match by sound, merged by sound). */
  get phoneticPatternCount(): number {
    return this.phoneticRules.length;
  }

  /** Every finding in `text`, sorted by start offset (then the longer first). */
  scan(text: string): Finding[] {
    const findings: Finding[] = [];
    if (text.length === 0) return findings;
    const { normalized, matches } = scratch;
    normalizeInto(text, normalized, this.folds);
    matches.clear();
    this.automaton.scan(normalized.codes, normalized.length, matches);
    const candidates = this.phonetic ? this.phoneticCandidates(normalized) : null;
    if (matches.length > 0 || candidates) this.collectLexiconFindings(text, findings, candidates);
    const detected = this.withPatterns
      ? detectPatterns(text, undefined, { numerals: this.folds.set === 'extended' })
      : [];
    for (const finding of detected) {
      finding.via = this.viaOf(text, finding.start, finding.end, FOLD_DIGIT_STYLE | FOLD_LETTER_STYLE);
      findings.push(finding);
    }
    releaseLargeScratch();
    if (findings.length < 2) return findings;
    findings.sort(compareFindings);
    const distinct = dropNestedTerms(findings);
    return detected.length > 0 && distinct.length > 1 ? dropRedundant(distinct) : distinct;
  }

  private phoneticCandidates(normalized: NormalizedText): PhoneticCandidate[] | null {
    const matcher = this.phonetic as PhoneticMatcher;
    const rules = this.phoneticRules;
    let found: PhoneticCandidate[] | null = null;
    const sink: PhoneticSink = {
      hit: (pattern: number, startUnit: number, endUnit: number, path: PhoneticPath) => {
        for (let rule: PhoneticRule | null = rules[pattern]; rule; rule = rule.next) {
          let pinyin = false;
          let homophone = false;
          for (let k = 0; k < rule.codes.length; k += 1) {
            if (path.latin[k] === 1) pinyin = true;
            else if (matcher.unitCodeAt(path.unitOf[k]) !== rule.codes[k]) homophone = true;
          }
          // The term itself, character for character: the main automaton reports it already.
          if (!pinyin && !homophone) continue;
          found ??= [];
          found.push({
            rule,
            start: matcher.normalizedIndex(startUnit),
            end: matcher.normalizedIndex(endUnit - 1),
            pinyin,
            homophone,
          });
        }
      },
    };
    matcher.scan(normalized, sink);
    return found;
  }

  private collectLexiconFindings(
    text: string,
    findings: Finding[],
    candidates: PhoneticCandidate[] | null,
  ): void {
    const { normalized, matches, allowed } = scratch;
    const { automaton, rules, allowPatterns } = this;
    // Allow phrases end after the terms they contain, so they are gathered in a first pass.
    allowed.clear();
    for (let m = 0; m < matches.length; m += 1) {
      const pattern = matches.patterns[m];
      if (allowPatterns[pattern] === 0) continue;
      const end = matches.ends[m];
      const start = end - automaton.patternLength(pattern) + 1;
      for (let rule: Rule | null = rules[pattern]; rule; rule = rule.next) {
        if (rule.kind === 'allow' && runsSatisfied(normalized, start, rule.runs)) {
          allowed.add(rule.allowId, start, end);
        }
      }
    }
    for (let m = 0; m < matches.length; m += 1) {
      const pattern = matches.patterns[m];
      const end = matches.ends[m];
      const start = end - automaton.patternLength(pattern) + 1;
      for (let rule: Rule | null = rules[pattern]; rule; rule = rule.next) {
        if (rule.kind !== 'term' || !this.accepts(rule, text, normalized, start, end)) continue;
        const finding = lexiconFinding(rule, text, normalized.starts[start], normalized.ends[end]);
        finding.via = this.termVia(text, normalized, start, end, rule, []);
        findings.push(finding);
      }
    }
    if (candidates) this.addPhoneticFindings(text, normalized, candidates, findings);
  }

  /**
   * Matches by sound become findings unless an allow phrase covers them, or a longer finding of the
   * same category holds them: 加weixin is 加微信, and saying that it also holds 加薇 (jia wei) and 薇信
   * (wei xin) would only make a reviewer read three findings for one thing; zui4 jia1 also reads as
   * zui4 jia with a digit after it.
   */
  private addPhoneticFindings(
    text: string,
    normalized: NormalizedText,
    candidates: PhoneticCandidate[],
    findings: Finding[],
  ): void {
    candidates.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: PhoneticCandidate[] = [];
    // The lexicon findings so far, by start, to look up what covers a candidate near its position.
    const lexical = findings.slice().sort((a, b) => a.start - b.start);
    for (const candidate of candidates) {
      const { rule, start, end } = candidate;
      if (heldBy(kept, candidate)) continue;
      if (
        rule.allowPhrases &&
        rule.allowPhrases.some((phrase) => phraseCovers(normalized, phrase, start, end))
      )
        continue;
      const from = normalized.starts[start];
      const to = normalized.ends[end];
      const category = rule.entry.category;
      if (coveredBy(lexical, category, rule.entry.term, from, to)) continue;
      kept.push(candidate);
      const finding: Finding = {
        ...lexiconFinding(
          { entry: rule.entry, layer: rule.layer },
          text,
          normalized.starts[start],
          normalized.ends[end],
        ),
        action: rule.action,
      };
      const extra: FoldName[] = [];
      if (candidate.pinyin) extra.push('pinyin');
      if (candidate.homophone) extra.push('homophone');
      finding.via = this.termVia(text, normalized, start, end, null, extra);
      if (candidate.pinyin) finding.via = finding.via.filter((name) => name !== 'case');
      findings.push(finding);
    }
  }

  private accepts(
    rule: TermRule,
    text: string,
    normalized: NormalizedText,
    start: number,
    end: number,
  ): boolean {
    if (!runsSatisfied(normalized, start, rule.runs)) return false;
    const { codes, gaps, length } = normalized;
    // A Latin end of a term must not continue a word: something skipped (a space) or a non-Latin
    // character has to stand next to it. A Chinese numeral next to it is no Latin letter (SB一下).
    if (rule.wordStart && start > 0 && gaps[start] === 0 && latinNeighbour(text, normalized, start - 1))
      return false;
    if (rule.wordEnd && end + 1 < length && gaps[end + 1] === 0 && latinNeighbour(text, normalized, end + 1))
      return false;
    if (rule.digits && !digitsExact(rule, normalized, codes, start, end)) return false;
    return !rule.allowIds || !scratch.allowed.covers(rule.allowIds, start, end, this.longestAllow);
  }

  /**
   * The folds of a lexicon match: where a character of the text differs from the term as written, the
   * folds of the text's character, or else of the term's (第１ for 第一 is digit_style, as is 第1, and
   * 第一 for a term written 第1); characters skipped
   * where the term has none; repetitions beyond the term's. A match by sound (`rule` null) reports
   * the folds of the text's characters, plus `extra`.
   */
  private termVia(
    text: string,
    normalized: NormalizedText,
    start: number,
    end: number,
    rule: TermRule | null,
    extra: FoldName[],
  ): FoldName[] {
    let bits = 0;
    let separator = false;
    let repeat = false;
    for (let k = start; k <= end; k += 1) {
      const at = k - start;
      const char = text.codePointAt(normalized.starts[k]) as number;
      if (!rule) {
        bits |= foldFlags(char, this.folds);
      } else if (char !== writtenForm(rule, this.folds).codes[at]) {
        // The text's own folds explain the difference; without any, the term was the one folded.
        const own =
          foldFlags(char, this.folds) || foldFlags(writtenForm(rule, this.folds).codes[at], this.folds);
        bits |= own === 0 && isAsciiDigitCode(normalized.codes[k]) ? FOLD_DIGIT_STYLE : own;
      }
      if (k > start && normalized.gaps[k] === 1 && (!rule || writtenForm(rule, this.folds).gaps[at] === 0))
        separator = true;
      if (normalized.runs[k] > (rule?.runs ? rule.runs[at] : 1)) repeat = true;
    }
    // Skipped characters between repetitions (最 最佳) sit inside one normalized character.
    if (!separator) separator = skippedInside(text, normalized, start, end);
    const via: FoldName[] = [];
    for (const name of FOLDS) {
      if (
        (name === 'separator' && separator) ||
        (name === 'repeat' && repeat) ||
        extra.includes(name) ||
        FOLD_BITS.some((bit) => (bits & bit) !== 0 && BIT_OF[bit] === name)
      ) {
        via.push(name);
      }
    }
    return via;
  }

  private viaOf(text: string, from: number, to: number, mask: number): FoldName[] {
    const bits = this.flagsOf(text, from, to) & mask;
    return bits === 0
      ? []
      : FOLDS.filter((name) => FOLD_BITS.some((bit) => (bits & bit) !== 0 && BIT_OF[bit] === name));
  }

  private flagsOf(text: string, from: number, to: number): number {
    let bits = 0;
    for (let i = from; i < to; i += 1) {
      const code = text.codePointAt(i) as number;
      if (code > 0xffff) i += 1;
      bits |= foldFlags(code, this.folds);
    }
    return bits;
  }
}

function releaseLargeScratch(): void {
  if (scratch.normalized.capacity > MAX_RETAINED_CAPACITY) scratch.normalized = new NormalizedText(1024);
  if (scratch.matches.patterns.length > MAX_RETAINED_CAPACITY) scratch.matches = new MatchBuffer();
  if (scratch.allowed.size > MAX_RETAINED_CAPACITY) scratch.allowed = new AllowHits();
}

/** 谢谢 (stored as 谢 with a run of 2) matches 谢谢 or 谢谢谢, never a single 谢. */
function runsSatisfied(normalized: NormalizedText, start: number, runs: Uint16Array | null): boolean {
  if (!runs) return true;
  for (let k = 0; k < runs.length; k += 1) {
    if (normalized.runs[start + k] < runs[k]) return false;
  }
  return true;
}

/** Whether the normalized character at `index` is a Latin letter or digit that was written as one. */
function latinNeighbour(text: string, normalized: NormalizedText, index: number): boolean {
  if (!isAsciiWordCode(normalized.codes[index])) return false;
  return !isChineseDigit(text.codePointAt(normalized.starts[index]) as number);
}

/**
 * Digits are not repetitions of each other: 第11 must not match 第1 (nor 全网第一), so a digit of the
 * term needs exactly its count, and a digit at an end of the term must not continue a number.
 */
function digitsExact(
  rule: TermRule,
  normalized: NormalizedText,
  codes: Int32Array,
  start: number,
  end: number,
): boolean {
  const digits = rule.digits as Uint8Array;
  for (let k = 0; k < digits.length; k += 1) {
    if (digits[k] === 1 && normalized.runs[start + k] !== (rule.runs ? rule.runs[k] : 1)) return false;
  }
  if (digits[0] === 1 && start > 0 && normalized.gaps[start] === 0 && isAsciiDigitCode(codes[start - 1]))
    return false;
  const last = digits.length - 1;
  return !(
    digits[last] === 1 &&
    end + 1 < normalized.length &&
    normalized.gaps[end + 1] === 0 &&
    isAsciiDigitCode(codes[end + 1])
  );
}

/** How far back (in characters) a finding that covers another is looked for: a term's length at most. */
const COVER_WINDOW = 128;

/** Whether an earlier kept candidate of the same term holds this one (`kept` is sorted by start). */
function heldBy(kept: readonly PhoneticCandidate[], candidate: PhoneticCandidate): boolean {
  for (let k = kept.length - 1; k >= 0 && kept[k].start >= candidate.start - COVER_WINDOW; k -= 1) {
    const other = kept[k];
    if (other.rule === candidate.rule && other.start <= candidate.start && other.end >= candidate.end)
      return true;
  }
  return false;
}

/** Whether a finding of `category` (sorted by start) spans [from, to), longer or of the same term. */
function coveredBy(
  sorted: readonly Finding[],
  category: string,
  term: string,
  from: number,
  to: number,
): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle].start <= from) low = middle + 1;
    else high = middle;
  }
  for (let k = low - 1; k >= 0 && sorted[k].start >= from - COVER_WINDOW; k -= 1) {
    const other = sorted[k];
    if (
      other.category === category &&
      other.end >= to &&
      (other.end - other.start > to - from || other.term === term)
    )
      return true;
  }
  return false;
}

/** Whether `phrase` stands in the normalized text around the characters [start, end]. */
function phraseCovers(normalized: NormalizedText, phrase: Int32Array, start: number, end: number): boolean {
  const { codes, length } = normalized;
  const span = end - start + 1;
  if (phrase.length < span) return false;
  for (let at = Math.max(0, end - phrase.length + 1); at <= start && at + phrase.length <= length; at += 1) {
    let same = true;
    for (let k = 0; k < phrase.length && same; k += 1) same = codes[at + k] === phrase[k];
    if (same) return true;
  }
  return false;
}

/** Whether characters were skipped inside the collapsed repetitions of a match (最 最佳). */
function skippedInside(text: string, normalized: NormalizedText, start: number, end: number): boolean {
  for (let k = start; k <= end; k += 1) {
    if (normalized.runs[k] < 2) continue;
    const span = normalized.ends[k] - normalized.starts[k];
    const char = text.codePointAt(normalized.starts[k]) as number;
    if (span !== normalized.runs[k] * (char > 0xffff ? 2 : 1)) return true;
  }
  return false;
}

function lexiconFinding(
  rule: { entry: LexiconEntry; layer: string },
  text: string,
  start: number,
  end: number,
): Finding {
  const { entry } = rule;
  const finding: Finding = {
    term: entry.term,
    category: entry.category,
    severity: entry.severity,
    action: entry.action,
    start,
    end,
    matchedText: text.slice(start, end),
    source: 'lexicon',
    via: [],
    layer: rule.layer,
  };
  if (entry.id !== undefined) finding.entryId = entry.id;
  if (entry.hint !== undefined) finding.hint = entry.hint;
  return finding;
}

function isLayerList(
  source: readonly LexiconLayer[] | readonly LexiconEntry[],
): source is readonly LexiconLayer[] {
  return source.length > 0 && 'entries' in source[0];
}
