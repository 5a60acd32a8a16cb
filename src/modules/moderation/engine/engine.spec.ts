import { ModerationEngine } from './engine';
import { Finding, summarize } from './findings';
import { LexiconEntry } from './lexicon';

const entry = (term: string, extra: Partial<LexiconEntry> = {}): LexiconEntry => ({
  term,
  category: 'advertising.absolute_term',
  severity: 'medium',
  action: 'review',
  ...extra,
});

const lexiconOnly = (entries: LexiconEntry[]): ModerationEngine =>
  ModerationEngine.build(entries, 'test', { patterns: false });

/** Each finding as [term, original substring], checking that start/end point at matchedText. */
function hits(engine: ModerationEngine, text: string): [string, string][] {
  return engine.scan(text).map((finding: Finding) => {
    expect(text.slice(finding.start, finding.end)).toBe(finding.matchedText);
    return [finding.term, finding.matchedText];
  });
}

describe('ModerationEngine', () => {
  const engine = lexiconOnly([
    entry('最佳', { allowPhrases: ['最佳赏味期', '最佳 食用期'] }),
    entry('国家级'),
    entry('NO.1'),
    entry('TOP1'),
    entry('fuck', { category: 'vulgarity' }),
    entry('SB', { category: 'vulgarity' }),
    entry('哈哈', { category: 'test' }),
    entry('全网第一'),
    entry('第一品牌'),
    entry('𠮷野家', { category: 'test' }),
  ]);

  describe('catches evasions and reports them against the original text', () => {
    it('case folding, ASCII and full-width', () => {
      expect(hits(engine, 'what the FuCk')).toEqual([['fuck', 'FuCk']]);
      expect(hits(engine, 'ＦＵＣＫ')).toEqual([['fuck', 'ＦＵＣＫ']]);
    });

    it('full-width forms and the ideographic space', () => {
      expect(hits(engine, '本店ＮＯ．１！')).toEqual([['NO.1', 'ＮＯ．１']]);
      expect(hits(engine, '最\u3000佳')).toEqual([['最佳', '最\u3000佳']]);
    });

    it('traditional characters', () => {
      expect(hits(engine, '我們是國家級品牌')).toEqual([['国家级', '國家級']]);
      expect(hits(engine, '國家级')).toEqual([['国家级', '國家级']]);
    });

    it('punctuation and whitespace between the characters', () => {
      expect(hits(engine, '真是最，佳。')).toEqual([['最佳', '最，佳']]);
      expect(hits(engine, '国 家\n级')).toEqual([['国家级', '国 家\n级']]);
      expect(hits(engine, 'f.u.c.k')).toEqual([['fuck', 'f.u.c.k']]);
    });

    it('emoji, ZWJ sequences, variation selectors and skin tones between the characters', () => {
      expect(hits(engine, '最😀佳')).toEqual([['最佳', '最😀佳']]);
      expect(hits(engine, '最👨‍👩‍👧佳')).toEqual([['最佳', '最👨‍👩‍👧佳']]);
      expect(hits(engine, '最❤️佳')).toEqual([['最佳', '最❤️佳']]);
      expect(hits(engine, '最👍🏽佳')).toEqual([['最佳', '最👍🏽佳']]);
    });

    it('zero-width, soft hyphen, BOM and combining marks between the characters', () => {
      for (const junk of [
        '\u200b',
        '\u200c',
        '\u200d',
        '\u200e',
        '\u200f',
        '\u2060',
        '\u2064',
        '\ufeff',
        '\u00ad',
        '\u0301',
      ]) {
        expect(hits(engine, `这是最${junk}佳的`)).toEqual([['最佳', `最${junk}佳`]]);
      }
    });

    it('repeated characters', () => {
      expect(hits(engine, '最最最佳好物')).toEqual([['最佳', '最最最佳']]);
      expect(hits(engine, 'fuuuuck')).toEqual([['fuck', 'fuuuuck']]);
      expect(hits(engine, 'NOO.1')).toEqual([['NO.1', 'NOO.1']]);
    });

    it('reports offsets in UTF-16 code units around supplementary-plane characters', () => {
      const text = '😀😀最佳🇨🇳';
      const [finding] = engine.scan(text);
      expect([finding.start, finding.end]).toEqual([4, 6]);
      expect(hits(engine, '爱💖𠮷💖野家')).toEqual([['𠮷野家', '𠮷💖野家']]);
    });
  });

  it('keeps a doubled character of a term meaningful: 哈哈 needs two', () => {
    expect(hits(engine, '哈')).toEqual([]);
    expect(hits(engine, '哈哈')).toEqual([['哈哈', '哈哈']]);
    expect(hits(engine, '哈！哈哈哈')).toEqual([['哈哈', '哈！哈哈哈']]);
  });

  it('keeps digits and letters: NO.2 is not NO.1', () => {
    expect(hits(engine, 'NO.2')).toEqual([]);
  });

  it('requires Latin ends of a term to stand as a word', () => {
    expect(hits(engine, 'USB 接口, laptop1, NO.10')).toEqual([]);
    expect(hits(engine, '你个SB')).toEqual([['SB', 'SB']]);
    expect(hits(engine, 'iphone no.1品牌')).toEqual([['NO.1', 'no.1']]);
    const loose = lexiconOnly([entry('fuck', { wholeWord: false })]);
    expect(hits(loose, 'fucking')).toEqual([['fuck', 'fuck']]);
  });

  it('reports overlapping matches, sorted by start and then the longer first', () => {
    expect(hits(engine, '全网第一品牌')).toEqual([
      ['全网第一', '全网第一'],
      ['第一品牌', '第一品牌'],
    ]);
  });

  describe('a term inside a longer finding', () => {
    it('is reported once, by the longer term, however it was written', () => {
      const nested = lexiconOnly([entry('第一'), entry('全网第一'), entry('网第')]);
      expect(hits(nested, '全网第一')).toEqual([['全网第一', '全网第一']]);
      expect(hits(nested, '全网第1，全 网 第 壹')).toEqual([
        ['全网第一', '全网第1'],
        ['全网第一', '全 网 第 壹'],
      ]);
      // Outside the longer term it is a finding of its own.
      expect(hits(nested, '全网第一，品质第一')).toEqual([
        ['全网第一', '全网第一'],
        ['第一', '第一'],
      ]);
    });

    it('stays when it is of another category or would change the decision', () => {
      const mixed = lexiconOnly([
        entry('稳赚不赔', { category: 'fraud' }),
        entry('稳赚', { category: 'fraud', action: 'block' }),
        entry('不赔', { category: 'fraud', severity: 'high' }),
        entry('赚不', { category: 'finance' }),
      ]);
      expect(hits(mixed, '稳赚不赔')).toEqual([
        ['稳赚不赔', '稳赚不赔'],
        ['稳赚', '稳赚'],
        ['赚不', '赚不'],
        ['不赔', '不赔'],
      ]);
    });

    it('stays beside another term on the very same span', () => {
      // 醉佳 as written, and 最佳 by its sound: two terms, each reported once.
      const twins = lexiconOnly([entry('醉佳'), entry('最佳', { pinyin: true })]);
      expect(hits(twins, '醉佳').sort()).toEqual([
        ['最佳', '醉佳'],
        ['醉佳', '醉佳'],
      ]);
    });
  });

  describe('allow phrases', () => {
    it('suppress a term inside an allowed phrase', () => {
      expect(hits(engine, '本品最佳赏味期为3天')).toEqual([]);
      expect(hits(engine, '最 佳 赏 味 期')).toEqual([]);
      expect(hits(engine, '最佳食用期')).toEqual([]);
    });

    it('do not suppress the same term elsewhere in the text', () => {
      expect(hits(engine, '最佳产品 最佳赏味期')).toEqual([['最佳', '最佳']]);
      expect(engine.scan('最佳产品 最佳赏味期')[0].start).toBe(0);
    });

    it('only suppress the entry they belong to', () => {
      const other = lexiconOnly([
        entry('最佳', { allowPhrases: ['最佳赏味期'] }),
        entry('赏味', { category: 'x' }),
      ]);
      expect(hits(other, '最佳赏味期')).toEqual([['赏味', '赏味']]);
    });
  });

  describe('layers', () => {
    const platform = [entry('最佳', { id: 'p-1', action: 'review' }), entry('国家级', { id: 'p-2' })];
    const org = [entry('最 佳', { id: 'o-1', action: 'block', severity: 'high' })];

    it('let a later layer override an entry with the same normalized term', () => {
      const layered = ModerationEngine.build(
        [
          { layer: 'platform', entries: platform },
          { layer: 'org', entries: org },
        ],
        'v2',
        { patterns: false },
      );
      const findings = layered.scan('最佳的国家级');
      expect(findings).toEqual([
        expect.objectContaining({ entryId: 'o-1', layer: 'org', action: 'block', term: '最 佳' }),
        expect.objectContaining({ entryId: 'p-2', layer: 'platform', action: 'review' }),
      ]);
      expect(layered.termCount).toBe(2);
      expect(layered.version).toBe('v2');
    });

    it('keep entries differing only in repetition apart (谢 vs 谢谢)', () => {
      const layered = lexiconOnly([entry('谢', { category: 'one' }), entry('谢谢', { category: 'two' })]);
      expect(
        layered
          .scan('谢谢')
          .map((finding) => finding.category)
          .sort(),
      ).toEqual(['one', 'two']);
      expect(layered.scan('谢').map((finding) => finding.category)).toEqual(['one']);
    });
  });

  it('builds a full finding', () => {
    const full = lexiconOnly([entry('最佳', { id: 'e-1', hint: 'Advertising Law art. 9' })]);
    expect(full.scan('最佳')).toEqual([
      {
        term: '最佳',
        category: 'advertising.absolute_term',
        severity: 'medium',
        action: 'review',
        start: 0,
        end: 2,
        matchedText: '最佳',
        source: 'lexicon',
        via: [],
        entryId: 'e-1',
        layer: 'default',
        hint: 'Advertising Law art. 9',
      },
    ]);
  });

  it('skips entries with nothing left after normalization', () => {
    const skipping = lexiconOnly([entry('！！！'), entry('最佳')]);
    expect(skipping.skipped).toEqual([
      expect.objectContaining({ layer: 'default', reason: 'empty_after_normalization' }),
    ]);
    expect(skipping.termCount).toBe(1);
  });

  it('works with an empty lexicon and empty text', () => {
    const empty = ModerationEngine.build([], 'empty');
    expect(empty.scan('')).toEqual([]);
    expect(empty.scan('纯文本')).toEqual([]);
    expect(empty.scan('电话13800138000')).toEqual([expect.objectContaining({ category: 'privacy.phone' })]);
  });

  it('merges lexicon and pattern findings, keeping the more specific of duplicates', () => {
    const withPatterns = ModerationEngine.build(
      [entry('加微信', { category: 'contact_diversion' }), entry('最佳')],
      'p',
    );
    const findings = withPatterns.scan('最佳好物，加微信: abc_123，电话 13800138000');
    expect(findings.map((finding) => [finding.source, finding.category, finding.matchedText])).toEqual([
      ['lexicon', 'advertising.absolute_term', '最佳'],
      ['pattern', 'contact_diversion', '加微信'],
      ['pattern', 'contact_diversion', '微信: abc_123'],
      ['pattern', 'privacy.phone', '13800138000'],
    ]);
  });

  it('stays fast on a text full of allow phrases', () => {
    const text = `${'最佳赏味期'.repeat(50_000)}最佳`;
    const started = Date.now();
    expect(engine.scan(text).map((finding) => finding.start)).toEqual([250_000]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('scans large texts and stays reusable', () => {
    const big = `${'普通文本'.repeat(300_000)}最佳`;
    const [finding] = engine.scan(big);
    expect(finding.start).toBe(1_200_000);
    expect(hits(engine, '国家级')).toEqual([['国家级', '国家级']]);
  });
});

describe('summarize', () => {
  const finding = (action: Finding['action'], severity: Finding['severity'], category: string): Finding => ({
    term: 't',
    category,
    severity,
    action,
    start: 0,
    end: 1,
    matchedText: 't',
    via: [],
    source: 'lexicon',
  });

  it('gives the strongest action: block > review > flag > none', () => {
    expect(summarize([])).toEqual({ action: 'none', severity: null, categories: [], count: 0 });
    expect(summarize([finding('flag', 'low', 'a')]).action).toBe('flag');
    expect(summarize([finding('flag', 'low', 'a'), finding('review', 'medium', 'b')]).action).toBe('review');
    expect(
      summarize([
        finding('review', 'high', 'a'),
        finding('block', 'medium', 'b'),
        finding('flag', 'low', 'a'),
      ]),
    ).toEqual({ action: 'block', severity: 'high', categories: ['a', 'b'], count: 3 });
  });
});
