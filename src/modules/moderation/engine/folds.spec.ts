import { ModerationEngine } from './engine';
import { Finding } from './findings';
import { LexiconEntry } from './lexicon';
import { SEED_LEXICON } from './seed-lexicon';

/**
 * The second round of folds, one block per row of issue 12's table and its variants. Every expected
 * offset is computed here from the test's own text (`indexOf` of the disguised span), never taken from
 * the engine.
 */

const entry = (term: string, extra: Partial<LexiconEntry> = {}): LexiconEntry => ({
  term,
  category: 'advertising.absolute_term',
  severity: 'medium',
  action: 'review',
  ...extra,
});

const engine = ModerationEngine.build(
  [
    entry('全网第一'),
    entry('销量第一'),
    entry('NO.1'),
    entry('最佳', { pinyin: true, allowPhrases: ['最佳赏味期'] }),
    entry('国家级', { pinyin: true }),
    entry('加微信', { category: 'contact_diversion', allowPhrases: ['增加威信'] }),
    entry('刷单返利', { category: 'fraud', action: 'block', severity: 'high' }),
    entry('稳赚不赔', { category: 'fraud', action: 'block', pinyinAction: 'block' }),
    entry('第一', { allowPhrases: ['第一次', '第一天'] }),
  ],
  'test',
  { patterns: false },
);

interface Hit {
  term: string;
  start: number;
  end: number;
  action: string;
  via: string[];
}

const hits = (text: string, scanner: ModerationEngine = engine): Hit[] =>
  scanner.scan(text).map((finding: Finding) => {
    expect(text.slice(finding.start, finding.end)).toBe(finding.matchedText);
    return {
      term: finding.term,
      start: finding.start,
      end: finding.end,
      action: finding.action,
      via: finding.via,
    };
  });

/** The expected hit for `term` on the first occurrence of `span` in `text`. */
const at = (text: string, span: string, term: string, via: string[], action = 'review'): Hit => {
  const start = text.indexOf(span);
  expect(start).toBeGreaterThanOrEqual(0);
  return { term, start, end: start + span.length, action, via };
};

describe('digit styles', () => {
  it.each([
    ['全网第1', '第1'],
    ['销量第１', '第１'],
    ['全网第①', '第①'],
    ['全网第⑴', '第⑴'],
    ['全网第⒈', '第⒈'],
    ['全网第壹', '第壹'],
    ['全网第幺', '第幺'],
  ])('%s reads as 第一', (written) => {
    const text = `这款产品${written}！`;
    const term = written.startsWith('销量') ? '销量第一' : '全网第一';
    const found = hits(text);
    expect(found).toContainEqual(at(text, written, term, ['digit_style']));
  });

  it('matches a term written with a digit against Chinese numerals', () => {
    const scanner = ModerationEngine.build([entry('TOP1'), entry('第1名')], 't', { patterns: false });
    const text = '本店第一名，TOP壹';
    expect(hits(text, scanner)).toEqual([
      at(text, '第一名', '第1名', ['digit_style']),
      at(text, 'TOP壹', 'TOP1', ['digit_style']),
    ]);
  });

  it('keeps numbers apart: 第10 is not 第1, 第11 is not 第1', () => {
    expect(hits('全网第10名')).toEqual([]);
    expect(hits('销量第11')).toEqual([]);
    expect(hits('全网第十')).toEqual([]);
  });

  it('lets the allow phrases of 第一 through: 第一次, 第一天', () => {
    expect(hits('第一次来，第一天就喜欢上了')).toEqual([]);
    const text = '品质第一';
    expect(hits(text)).toEqual([at(text, '第一', '第一', [])]);
  });
});

describe('letter styles and look-alikes', () => {
  it.each([
    ['NО.1', 'Cyrillic О', ['confusable']],
    ['ΝΟ.1', 'Greek Ν and Ο', ['confusable']],
    ['ⓃⓄ.1', 'circled letters', ['letter_style']],
    ['𝐍𝐎.1', 'mathematical bold', ['letter_style']],
    ['ＮＯ．１', 'full-width', ['letter_style', 'digit_style']],
    ['no.1', 'lower case', ['case']],
  ])('%s (%s) reads as NO.1', (written, _name, via) => {
    const text = `品牌 ${written} 推荐`;
    expect(hits(text)).toEqual([at(text, written, 'NO.1', via)]);
  });

  it('still needs a word boundary: NО.10 is not NO.1', () => {
    expect(hits('NО.10')).toEqual([]);
  });
});

describe('pinyin written out', () => {
  it.each(['zuijia', 'zui jia', 'ZUIJIA', 'ZuiJia', 'zuì jiā', 'zui4 jia1', 'zui4jia1'])(
    '%s reads as 最佳',
    (written) => {
      const text = `这是${written}的选择`;
      const [found] = hits(text);
      expect(found).toMatchObject({ term: '最佳', start: text.indexOf(written), action: 'review' });
      expect(found.end).toBe(text.indexOf(written) + written.length);
      expect(found.via).toContain('pinyin');
    },
  );

  it('reads a term written half in characters, half in pinyin: 加weixin', () => {
    const text = '想了解的加weixin详聊';
    expect(hits(text)).toEqual([at(text, '加weixin', '加微信', ['pinyin'])]);
  });

  it('reads pinyin run together inside a pinyin sentence, not inside an English word', () => {
    const text = 'woxiang jiaweixin';
    expect(hits(text)).toEqual([at(text, 'jiaweixin', '加微信', ['pinyin'])]);
    expect(hits('the zuijiaxyz brand, shuadanfanlix')).toEqual([]);
  });
});

describe('homophones', () => {
  it('醉佳 sounds like 最佳 and is sent to review', () => {
    const text = '本店醉佳口味';
    expect(hits(text)).toEqual([at(text, '醉佳', '最佳', ['homophone'])]);
  });

  it('handles polyphonic characters: any reading of the text matches', () => {
    // 和 reads he, huo, hu …; 佳 jia: 国家级 is guo jia ji, so 国佳级 and 果家极 are homophones.
    const text = '果家极品质';
    expect(hits(text)).toEqual([at(text, '果家极', '国家级', ['homophone'])]);
    // 行 reads xing or hang: a term read hang (银行卡) matches text read either way.
    const scanner = ModerationEngine.build([entry('银行卡套现', { category: 'fraud' })], 't', {
      patterns: false,
    });
    const bank = '专业银航卡套现';
    expect(hits(bank, scanner)).toEqual([at(bank, '银航卡套现', '银行卡套现', ['homophone'])]);
    const both = '专业音行卡套现';
    expect(hits(both, scanner)).toEqual([at(both, '音行卡套现', '银行卡套现', ['homophone'])]);
  });

  it('combines folds: traditional and digit styles under a homophone', () => {
    const scanner = ModerationEngine.build([entry('一夜暴富', { category: 'fraud' })], 't', {
      patterns: false,
    });
    const text = '教你壹夜報富';
    expect(hits(text, scanner)).toEqual([
      at(text, '壹夜報富', '一夜暴富', ['digit_style', 'traditional', 'homophone']),
    ]);
  });

  it('never blocks by sound unless the term says so', () => {
    const review = '刷单返丽';
    expect(hits(review)).toEqual([at(review, '刷单返丽', '刷单返利', ['homophone'], 'review')]);
    const block = '稳赚不陪';
    expect(hits(block)).toEqual([at(block, '稳赚不陪', '稳赚不赔', ['homophone'], 'block')]);
    // The term as written keeps its own action.
    expect(hits('刷单返利')[0].action).toBe('block');
  });

  it('is off by default for Advertising Law terms and short terms', () => {
    const scanner = ModerationEngine.build([entry('最高级'), entry('赌博', { category: 'gambling' })], 't', {
      patterns: false,
    });
    expect(hits('醉高级 zuigaoji 独播 dubo', scanner)).toEqual([]);
  });

  it('lets an allow phrase that holds the term by sound through: 增加威信', () => {
    expect(hits('要增加威信')).toEqual([]);
    const text = '快加威信';
    expect(hits(text)).toEqual([at(text, '加威信', '加微信', ['homophone'])]);
  });

  it('reports the exact term once, not again by sound', () => {
    const text = '最佳';
    expect(hits(text)).toEqual([at(text, '最佳', '最佳', [])]);
  });
});

describe('traditional characters through OpenCC', () => {
  it('folds every traditional character of a term, keeping offsets', () => {
    const text = '我們是國家級品牌';
    expect(hits(text)).toEqual([at(text, '國家級', '国家级', ['traditional'])]);
  });
});

describe('folds off', () => {
  it('basic folds are the engine before this round', () => {
    const basic = ModerationEngine.build(
      [entry('全网第一'), entry('NO.1'), entry('最佳', { pinyin: true })],
      't',
      {
        patterns: false,
        folds: 'basic',
      },
    );
    expect(basic.scan('全网第1 NО.1 zuijia 醉佳')).toEqual([]);
    expect(basic.scan('全网第一').map((finding) => finding.term)).toEqual(['全网第一']);
  });
});

describe('the seeded lexicon with every fold', () => {
  const seeded = ModerationEngine.build([{ layer: 'platform', entries: SEED_LEXICON }], 'seed');

  it('finds each row of the table', () => {
    const rows: [string, string, string][] = [
      ['全网第1', '全网第1', '全网第一'],
      ['销量第１', '销量第１', '销量第一'],
      ['全网第①', '全网第①', '全网第一'],
      ['全网第壹', '全网第壹', '全网第一'],
      ['本店NО.1', 'NО.1', 'NO.1'],
      ['zuijia好物', 'zuijia', '最佳'],
      ['zui jia好物', 'zui jia', '最佳'],
      ['醉佳好物', '醉佳', '最佳'],
      ['加weixin', '加weixin', '加微信'],
    ];
    for (const [text, span, term] of rows) {
      const start = text.indexOf(span);
      expect(seeded.scan(text)).toContainEqual(
        expect.objectContaining({ term, start, end: start + span.length, matchedText: span }),
      );
    }
  });

  it('passes a Chinese-numeral mobile number to the detector', () => {
    const text = '电话一三八零零一三八零零零';
    const span = '一三八零零一三八零零零';
    const start = text.indexOf(span);
    expect(seeded.scan(text)).toContainEqual(
      expect.objectContaining({
        term: 'mobile_phone',
        start,
        end: start + span.length,
        via: ['digit_style'],
      }),
    );
  });

  it('lets the common innocent phrases through', () => {
    expect(seeded.scan('第一次来，第一天到，统一流程，最佳赏味期三天，菠菜炒鸡蛋，肚子疼，独播剧')).toEqual(
      [],
    );
  });
});
