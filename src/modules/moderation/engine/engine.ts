import { isAsciiWordCode } from './char-fold';
import { AllowHits } from './allow-hits';
import { AhoCorasick, MatchBuffer } from './automaton';
import { compareFindings, dropRedundant, Finding } from './findings';
import { compileLexicon, LexiconEntry, LexiconLayer, Rule, SkippedEntry, TermRule } from './lexicon';
import { NormalizedText, normalizeInto } from './normalizer';
import { detectPatterns } from './patterns';

export interface EngineOptions {
  /** Run the personal-data and contact detectors too (default true). */
  patterns?: boolean;
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
    const lexicon = compileLexicon(layers);
    const allowPatterns = new Uint8Array(lexicon.rules.length);
    lexicon.rules.forEach((first, pattern) => {
      for (let rule: Rule | null = first; rule; rule = rule.next) {
        if (rule.kind === 'allow') allowPatterns[pattern] = 1;
      }
    });
    return new ModerationEngine(
      version,
      AhoCorasick.build(lexicon.patterns),
      lexicon.rules,
      allowPatterns,
      lexicon.longestAllow,
      lexicon.termCount,
      lexicon.skipped,
      options.patterns ?? true,
    );
  }

  /** Bytes held by the matching structures (not counting the entries themselves). */
  get automatonBytes(): number {
    return this.automaton.byteSize;
  }

  /** Every finding in `text`, sorted by start offset (then the longer first). */
  scan(text: string): Finding[] {
    const findings: Finding[] = [];
    if (text.length === 0) return findings;
    const { normalized, matches } = scratch;
    normalizeInto(text, normalized);
    matches.clear();
    this.automaton.scan(normalized.codes, normalized.length, matches);
    if (matches.length > 0) this.collectLexiconFindings(text, findings);
    const detected = this.withPatterns ? detectPatterns(text) : [];
    for (const finding of detected) findings.push(finding);
    releaseLargeScratch();
    findings.sort(compareFindings);
    return detected.length > 0 && findings.length > 1 ? dropRedundant(findings) : findings;
  }

  private collectLexiconFindings(text: string, findings: Finding[]): void {
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
        if (rule.kind !== 'term' || !this.accepts(rule, normalized, start, end)) continue;
        findings.push(lexiconFinding(rule, text, normalized.starts[start], normalized.ends[end]));
      }
    }
  }

  private accepts(rule: TermRule, normalized: NormalizedText, start: number, end: number): boolean {
    if (!runsSatisfied(normalized, start, rule.runs)) return false;
    const { codes, gaps, length } = normalized;
    // A Latin end of a term must not continue a word: something skipped (a space) or a non-Latin
    // character has to stand next to it.
    if (rule.wordStart && start > 0 && gaps[start] === 0 && isAsciiWordCode(codes[start - 1])) return false;
    if (rule.wordEnd && end + 1 < length && gaps[end + 1] === 0 && isAsciiWordCode(codes[end + 1]))
      return false;
    return !rule.allowIds || !scratch.allowed.covers(rule.allowIds, start, end, this.longestAllow);
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

function lexiconFinding(rule: TermRule, text: string, start: number, end: number): Finding {
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
