import { Finding } from './engine';
import { applyAbsoluteTermsPolicy, mergeFindings, verdictOf } from './scan-results';

const finding = (term: string, start: number, extra: Partial<Finding> = {}): Finding => ({
  term,
  category: 'test',
  severity: 'medium',
  action: 'review',
  start,
  end: start + term.length,
  matchedText: term,
  source: 'lexicon',
  via: [],
  ...extra,
});

describe('mergeFindings', () => {
  it('keeps the findings of both lexicons, sorted by start then the longer first', () => {
    const merged = mergeFindings([finding('赌博', 4)], [finding('暗号', 0), finding('暗号词', 0)]);
    expect(merged.map((f) => f.term)).toEqual(['暗号词', '暗号', '赌博']);
  });

  it('lets the organization tighten a platform term on the same span', () => {
    const merged = mergeFindings(
      [finding('最佳', 0, { layer: 'platform' })],
      [finding('最 佳', 0, { action: 'block', layer: 'organization', end: 2 })],
    );
    expect(merged).toMatchObject([{ action: 'block', layer: 'organization' }]);
  });

  it('never lets the organization weaken a platform term', () => {
    const merged = mergeFindings(
      [finding('赌博', 0, { action: 'block', layer: 'platform' })],
      [finding('赌博', 0, { action: 'flag', layer: 'organization' })],
    );
    expect(merged).toMatchObject([{ action: 'block', layer: 'platform' }]);
  });

  it('keeps pattern findings apart from lexicon ones', () => {
    const merged = mergeFindings([finding('email', 0, { source: 'pattern' })], [finding('email', 0)]);
    expect(merged).toHaveLength(2);
  });
});

describe('applyAbsoluteTermsPolicy', () => {
  const findings = [
    finding('最佳', 0, { category: 'advertising.absolute_term' }),
    finding('顶级', 3, { category: 'advertising.absolute_term.level', action: 'flag' }),
    finding('私聊', 6, { category: 'contact_diversion' }),
  ];

  it('changes nothing by default', () => {
    expect(applyAbsoluteTermsPolicy(findings, 'review')).toBe(findings);
  });

  it('blocks every absolute term, and only those, when tightened', () => {
    expect(applyAbsoluteTermsPolicy(findings, 'block').map((f) => f.action)).toEqual([
      'block',
      'block',
      'review',
    ]);
  });
});

describe('verdictOf', () => {
  it('is the strongest action, or pass', () => {
    expect(verdictOf([])).toBe('pass');
    expect(verdictOf([finding('a', 0, { action: 'flag' })])).toBe('flag');
    expect(verdictOf([finding('a', 0, { action: 'flag' }), finding('b', 1, { action: 'block' })])).toBe(
      'block',
    );
  });
});
