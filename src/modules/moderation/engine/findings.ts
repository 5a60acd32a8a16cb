/** What the engine reports, and how a list of findings becomes one decision. */

export type Severity = 'low' | 'medium' | 'high';

/**
 * The folds a match went through, so a reviewer sees why it matched: `case` (FuCk), `letter_style`
 * (full-width, enclosed, mathematical or accented letters), `digit_style` (１, ①, ⑴, ⒈, 一, 壹 for 1),
 * `confusable` (a Cyrillic or Greek letter that looks Latin), `traditional` (國 for 国), `separator`
 * (symbols, spaces, emoji or invisible characters between the characters), `repeat` (最最最佳),
 * `pinyin` (the term written in pinyin letters, whole or in part) and `homophone` (other characters
 * with the same tone-less pinyin).
 */
export const FOLDS = [
  'case',
  'letter_style',
  'digit_style',
  'confusable',
  'traditional',
  'separator',
  'repeat',
  'pinyin',
  'homophone',
] as const;
export type FoldName = (typeof FOLDS)[number];
export type Action = 'block' | 'review' | 'flag';

export interface Finding {
  /** The lexicon term as written in its entry, or the detector's name (`mobile_phone`, …). */
  term: string;
  category: string;
  severity: Severity;
  action: Action;
  /** UTF-16 offsets into the scanned text: `text.slice(start, end)` is what was matched. */
  start: number;
  end: number;
  /** `text.slice(start, end)`, including any junk the writer put between the characters. */
  matchedText: string;
  source: 'lexicon' | 'pattern';
  /** The folds the match went through, in the order of FOLDS; empty for the term exactly as written. */
  via: FoldName[];
  entryId?: string;
  /** The lexicon layer the entry came from (`platform`, `org`, …). */
  layer?: string;
  hint?: string;
}

export type SummaryAction = Action | 'none';

export interface FindingsSummary {
  /** The strongest action among the findings: block > review > flag > none. */
  action: SummaryAction;
  /** The highest severity, or null without findings. */
  severity: Severity | null;
  /** Distinct categories in order of first appearance. */
  categories: string[];
  count: number;
}

const ACTION_RANK: Record<SummaryAction, number> = { none: 0, flag: 1, review: 2, block: 3 };
const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };

export function summarize(findings: readonly Finding[]): FindingsSummary {
  let action: SummaryAction = 'none';
  let severity: Severity | null = null;
  const categories = new Set<string>();
  for (const finding of findings) {
    if (ACTION_RANK[finding.action] > ACTION_RANK[action]) action = finding.action;
    if (severity === null || SEVERITY_RANK[finding.severity] > SEVERITY_RANK[severity]) {
      severity = finding.severity;
    }
    categories.add(finding.category);
  }
  return { action, severity, categories: [...categories], count: findings.length };
}

/** By start, then the longer span first, so an enclosing finding precedes what it contains. */
export function compareFindings(a: Finding, b: Finding): number {
  return a.start - b.start || b.end - a.end || ACTION_RANK[b.action] - ACTION_RANK[a.action];
}

/**
 * A detector and a lexicon entry of the same category often see the same thing ("加微信" in the
 * lexicon, "加微信 abc_123" as a WeChat ID). Reporting both says nothing new, so of a lexicon and a
 * pattern finding of one category where one span contains the other, only the wider one stays (the
 * pattern's on a tie, as it is the more specific). Overlapping findings otherwise all stay.
 */
export function dropRedundant(sorted: readonly Finding[]): Finding[] {
  const kept: Finding[] = [];
  const dropped = new Set<Finding>();
  for (let i = 0; i < sorted.length; i += 1) {
    const outer = sorted[i];
    for (let j = i + 1; j < sorted.length && sorted[j].start < outer.end; j += 1) {
      const inner = sorted[j];
      if (inner.source === outer.source || inner.category !== outer.category || inner.end > outer.end)
        continue;
      const sameSpan = inner.start === outer.start && inner.end === outer.end;
      dropped.add(sameSpan && outer.source === 'lexicon' ? outer : inner);
    }
  }
  for (const finding of sorted) if (!dropped.has(finding)) kept.push(finding);
  return kept;
}

/**
 * A lexicon term inside a longer lexicon finding of the same category (第一 in 全网第一, 稳赚 in
 * 稳赚不赔) tells a reviewer nothing the longer one does not: the same characters, the same reason.
 * So it is dropped, and the longer one always stays. It stays when it would change the decision (a
 * stronger action or a higher severity than the finding around it), when it is of another category,
 * and on the very same span (two distinct terms, each reported once). `sorted` is in the order of
 * compareFindings, so every finding that can contain another comes before it.
 */
export function dropNestedTerms(sorted: readonly Finding[]): Finding[] {
  const kept: Finding[] = [];
  /** Lexicon findings kept so far whose end is still ahead: the only ones that can contain the next. */
  let open: Finding[] = [];
  for (const finding of sorted) {
    if (finding.source !== 'lexicon') {
      kept.push(finding);
      continue;
    }
    open = open.filter((outer) => outer.end > finding.start);
    const held = open.some(
      (outer) =>
        outer.category === finding.category &&
        outer.start <= finding.start &&
        outer.end >= finding.end &&
        outer.end - outer.start > finding.end - finding.start &&
        ACTION_RANK[finding.action] <= ACTION_RANK[outer.action] &&
        SEVERITY_RANK[finding.severity] <= SEVERITY_RANK[outer.severity],
    );
    if (held) continue;
    kept.push(finding);
    open.push(finding);
  }
  return kept;
}
