import { Finding, normalizedString, summarize } from './engine';

/**
 * How the findings of the two lexicons become one answer: pure functions, so the rules can be tested
 * without a database.
 */

export type Verdict = 'block' | 'review' | 'flag' | 'pass';

/** The Advertising Law absolute terms (广告法极限词): the category an organization's policy may tighten. */
export const ABSOLUTE_TERM_CATEGORY = 'advertising.absolute_term';

const ACTION_RANK = { flag: 1, review: 2, block: 3 } as const;

/**
 * Platform and organization findings of one text. The organization's lexicon adds terms and may
 * tighten a platform term, never weaken it: when both report the same term on the same span, the
 * stronger action stays (the organization's on a tie, as the more specific). Everything else stays.
 */
export function mergeFindings(platform: readonly Finding[], organization: readonly Finding[]): Finding[] {
  if (organization.length === 0) return [...platform];
  const merged: Finding[] = [...organization];
  for (const finding of platform) {
    const twin = organization.find((other) => sameTermAndSpan(finding, other));
    if (!twin) merged.push(finding);
    else if (ACTION_RANK[finding.action] > ACTION_RANK[twin.action]) merged[merged.indexOf(twin)] = finding;
  }
  return merged.sort((a, b) => a.start - b.start || b.end - a.end);
}

function sameTermAndSpan(a: Finding, b: Finding): boolean {
  return (
    a.source === 'lexicon' &&
    b.source === 'lexicon' &&
    a.start === b.start &&
    a.end === b.end &&
    (a.term === b.term || normalizedString(a.term) === normalizedString(b.term))
  );
}

/**
 * An organization that tightens absolute terms has every one of them blocked, whatever lexicon said
 * so. Matches by sound (pinyin, homophones) stay as their term says: a homophone is a guess, and only
 * the term itself may make such a guess block.
 */
export function applyAbsoluteTermsPolicy(findings: Finding[], action: 'review' | 'block'): Finding[] {
  if (action === 'review') return findings;
  return findings.map((finding) =>
    isAbsoluteTerm(finding.category) && finding.action !== 'block' && !bySound(finding)
      ? { ...finding, action: 'block' }
      : finding,
  );
}

const bySound = (finding: Finding): boolean =>
  finding.via.includes('pinyin') || finding.via.includes('homophone');

const isAbsoluteTerm = (category: string): boolean =>
  category === ABSOLUTE_TERM_CATEGORY || category.startsWith(`${ABSOLUTE_TERM_CATEGORY}.`);

/** The strongest action among the findings, `pass` without any. */
export function verdictOf(findings: readonly Finding[]): Verdict {
  const { action } = summarize(findings);
  return action === 'none' ? 'pass' : action;
}
