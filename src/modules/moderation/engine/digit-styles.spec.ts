import fc from 'fast-check';
import { computeFold } from './char-fold';
import { ASTRAL_DIGIT_BLOCKS, detectPatterns } from './patterns';

/**
 * The number detectors read every digit style the folds know: a number written in mathematical,
 * circled, superscript or Chinese-numeral digits (mixed as a writer likes) is found like the same
 * number in ASCII digits, with offsets into the text as written.
 */

const NOW = new Date('2025-06-01T00:00:00Z');

/** Each ASCII digit in every style a writer might use instead (written out by hand). */
const STYLES: readonly (readonly string[])[] = [
  ['0', '０', '𝟎', '𝟘', '𝟬', '⓪', '〇', '零', '⁰', '₀'],
  ['1', '１', '𝟏', '𝟙', '𝟭', '①', '⑴', '⒈', '一', '壹', '幺', '¹', '❶', '🯱'],
  ['2', '２', '𝟐', '𝟚', '𝟮', '②', '⑵', '⒉', '二', '贰', '两', '²'],
  ['3', '３', '𝟑', '𝟛', '𝟯', '③', '⑶', '⒊', '三', '叁', '³'],
  ['4', '４', '𝟒', '𝟜', '𝟰', '④', '⑷', '⒋', '四', '肆', '⁴'],
  ['5', '５', '𝟓', '𝟝', '𝟱', '⑤', '⑸', '⒌', '五', '伍', '⁵'],
  ['6', '６', '𝟔', '𝟞', '𝟲', '⑥', '⑹', '⒍', '六', '陆', '⁶'],
  ['7', '７', '𝟕', '𝟟', '𝟳', '⑦', '⑺', '⒎', '七', '柒', '⁷'],
  ['8', '８', '𝟖', '𝟠', '𝟴', '⑧', '⑻', '⒏', '八', '捌', '⁸'],
  ['9', '９', '𝟗', '𝟡', '𝟵', '⑨', '⑼', '⒐', '九', '玖', '⁹'],
];

const spans = (text: string) =>
  detectPatterns(text, NOW).map((finding) => {
    expect(text.slice(finding.start, finding.end)).toBe(finding.matchedText);
    return { term: finding.term, start: finding.start, end: finding.end };
  });

describe('number detectors and digit styles', () => {
  it('find a mobile number in mathematical digits (U+1D7CE–U+1D7FF), offsets over the surrogate pairs', () => {
    const number = '𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎';
    const text = `电话${number}，欢迎来电`;
    expect(spans(text)).toEqual([{ term: 'mobile_phone', start: 2, end: 2 + number.length }]);
    expect(number.length).toBe(22);
  });

  it('find an ID number and a card number in mixed styles, also after a zero-width space', () => {
    const id = '𝟏𝟏𝟎𝟏𝟎𝟓一九四九一二三一００２X';
    const text = `证\u200b件${id}`;
    expect(spans(text)).toEqual([{ term: 'id_number', start: 3, end: 3 + id.length }]);
    const card = '𝟒𝟏𝟏𝟏 ①①①① 1111 ¹¹¹¹';
    expect(spans(`卡号 ${card} 谢谢`)).toEqual([{ term: 'bank_card', start: 3, end: 3 + card.length }]);
  });

  it('leave short runs and lone numerals alone', () => {
    expect(spans('第一名，一二三四，𝟏𝟐𝟑')).toEqual([]);
  });

  it('know every supplementary-plane code point the folds turn into a digit', () => {
    const inBlocks = (code: number) =>
      ASTRAL_DIGIT_BLOCKS.some(([first, last]) => code >= first && code <= last);
    const missing: string[] = [];
    for (let code = 0x10000; code < 0x40000; code += 1) {
      const folded = computeFold(code, 'extended').code;
      if (folded >= 0x30 && folded <= 0x39 && !inBlocks(code)) missing.push(code.toString(16));
    }
    expect(missing).toEqual([]);
  });

  it('report a number in any mix of styles exactly where the ASCII number is reported', () => {
    const numbers = ['13800138000', '11010519491231002X', '4111111111111111', '6222021234567890120'];
    const contexts = ['电话', '身份证号：', '卡号 ', '请打', '联系'];
    fc.assert(
      fc.property(
        fc.constantFrom(...numbers),
        fc.constantFrom(...contexts),
        fc.array(fc.nat(20), { minLength: 19, maxLength: 19 }),
        (number, context, choices) => {
          let styled = '';
          for (let k = 0; k < number.length; k += 1) {
            const char = number[k];
            const options = char === 'X' ? ['X'] : STYLES[Number(char)];
            styled += options[choices[k] % options.length];
          }
          const plain = spans(`${context}${number}。`).map((hit) => hit.term);
          const found = spans(`${context}${styled}。`);
          expect(found.map((hit) => hit.term)).toEqual(plain);
          expect(found.map((hit) => [hit.start, hit.end])).toEqual(
            plain.map(() => [context.length, context.length + styled.length]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
