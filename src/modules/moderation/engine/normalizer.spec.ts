import { computeFold, SKIP } from './char-fold';
import { normalize, normalizedString, NormalizedText, normalizeInto } from './normalizer';

/** The original substring each normalized character came from. */
const sources = (text: string): string[] => {
  const normalized = normalize(text);
  return Array.from({ length: normalized.length }, (_, i) =>
    text.slice(normalized.starts[i], normalized.ends[i]),
  );
};

describe('normalizer', () => {
  it('folds ASCII and full-width Latin case', () => {
    expect(normalizedString('FuCk')).toBe('fuck');
    expect(normalizedString('ＦＵＣＫ ｆｕｃｋ')).toBe('fuckfuck');
  });

  it('maps full-width forms (U+FF01–FF5E) to ASCII and drops the ideographic space', () => {
    expect(normalizedString('ＮＯ．１')).toBe('no1');
    expect(normalizedString('１３８\u3000００')).toBe('1380');
  });

  it('folds compatibility forms of letters and digits', () => {
    expect(normalizedString('①Ⓐ㊙𝐟𝐮𝐜𝐤é')).toBe('1a秘fucke');
  });

  it('maps traditional to simplified characters', () => {
    expect(normalizedString('國家級 世界級 頂級 獨無 賭博 詐騙')).toBe('国家级世界级顶级独无赌博诈骗');
  });

  it('drops punctuation, whitespace, emoji and invisible characters', () => {
    const junk = [
      ' ',
      '\n',
      '，',
      '…',
      '*',
      '😀',
      '👍🏽',
      '👨‍👩‍👧',
      '❤️',
      '🇨🇳',
      '\u200b',
      '\u200d',
      '\u200f',
      '\u2060',
      '\u2064',
      '\ufeff',
      '\u00ad',
      '\u0301',
      '\ufe0f',
    ];
    for (const between of junk) expect(normalizedString(`最${between}佳`)).toBe('最佳');
  });

  it('keeps digits and Latin letters', () => {
    expect(normalizedString('WeChat: abc_123, 电话 138-0123')).toBe('wechatabc123电话1380123');
  });

  it('collapses repeated characters and counts the run', () => {
    const normalized = normalize('最最 最佳佳!');
    expect(normalized.toString()).toBe('最佳');
    expect(Array.from(normalized.runs.subarray(0, 2))).toEqual([3, 2]);
    expect(normalizedString('fuuuuck')).toBe('fuck');
  });

  it('maps every normalized character back to its original span, junk and repetitions included', () => {
    expect(sources('最 最最\u200b佳！')).toEqual(['最 最最', '佳']);
    const normalized = normalize('a😀b');
    expect([normalized.starts[1], normalized.ends[1]]).toEqual([3, 4]);
  });

  it('handles supplementary-plane characters as one character, with two code units', () => {
    const text = '😀𠮷野家😀';
    expect(normalizedString(text)).toBe('𠮷野家');
    expect(sources(text)).toEqual(['𠮷', '野', '家']);
    const normalized = normalize(text);
    expect([normalized.starts[0], normalized.ends[0]]).toEqual([2, 4]);
  });

  it('treats a lone surrogate as junk', () => {
    expect(normalizedString('最\ud800佳\udc00')).toBe('最佳');
  });

  it('records whether something was skipped before each character', () => {
    const normalized = normalize('ab c');
    expect(Array.from(normalized.gaps.subarray(0, 3))).toEqual([0, 0, 1]);
  });

  it('reuses and grows a buffer', () => {
    const buffer = new NormalizedText(2);
    normalizeInto('甲乙丙丁戊己', buffer);
    expect(buffer.toString()).toBe('甲乙丙丁戊己');
    normalizeInto('庚', buffer);
    expect(buffer.toString()).toBe('庚');
  });

  it('classifies single code points', () => {
    expect(computeFold('A'.codePointAt(0) as number).code).toBe('a'.codePointAt(0));
    expect(computeFold('!'.codePointAt(0) as number).code).toBe(SKIP);
    expect(computeFold(0x1f600).code).toBe(SKIP);
  });
});
