import { ModerationEngine } from './engine';
import { summarize } from './findings';
import { containsBySound } from './lexicon';
import { normalizedString } from './normalizer';
import { pinyinTable } from './pinyin-table';
import { SEED_LEXICON, SEED_LEXICON_VERSION } from './seed-lexicon';

describe('seed lexicon', () => {
  const engine = ModerationEngine.build([{ layer: 'platform', entries: SEED_LEXICON }], SEED_LEXICON_VERSION);
  const categories = (text: string): string[] => [
    ...new Set(engine.scan(text).map((finding) => finding.category)),
  ];

  it('has unique ids and unique normalized terms, none empty', () => {
    const ids = SEED_LEXICON.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    const terms = SEED_LEXICON.map((entry) => normalizedString(entry.term));
    expect(terms.filter((term) => term.length === 0)).toEqual([]);
    expect(new Set(terms).size).toBe(terms.length);
    expect(engine.skipped).toEqual([]);
  });

  it('has each allow phrase contain its term (or its sound), or it could never apply', () => {
    for (const entry of SEED_LEXICON) {
      for (const phrase of entry.allowPhrases ?? []) {
        const contains =
          normalizedString(phrase).includes(normalizedString(entry.term)) ||
          containsBySound(pinyinTable(), phrase, entry.term);
        expect([phrase, contains]).toEqual([phrase, true]);
      }
    }
  });

  it('flags Advertising Law absolute terms for review, also when disguised', () => {
    const findings = engine.scan('全網銷量第一的頂級好物，最最最佳选择，ＮＯ．１！');
    expect(findings.map((finding) => finding.matchedText)).toEqual(
      expect.arrayContaining(['銷量第一', '頂級', '最最最佳', 'ＮＯ．１']),
    );
    expect(summarize(findings)).toMatchObject({
      action: 'review',
      categories: ['advertising.absolute_term'],
    });
    expect(findings[0].hint).toMatch(/Advertising Law art\. 9/);
  });

  it('allows best-before times and defined grades', () => {
    expect(engine.scan('本品最佳赏味期为3天，国家级非物质文化遗产')).toEqual([]);
  });

  it('blocks fraud and gambling', () => {
    expect(summarize(engine.scan('兼职刷单，稳赚不赔')).action).toBe('block');
    expect(categories('线上赌場，真人荷官百家樂')).toEqual(['gambling']);
  });

  it('flags vulgarity and contact diversion without catching everyday words', () => {
    expect(summarize(engine.scan('卧槽')).action).toBe('flag');
    expect(categories('你个傻逼')).toEqual(['vulgarity']);
    expect(categories('想要的加我V')).toEqual(['contact_diversion']);
    expect(engine.scan('妈妈的爱，其他妈妈的孩子，你妹妹，USB 接口，去死皮，增加威信，参加群众活动')).toEqual(
      [],
    );
  });
});
