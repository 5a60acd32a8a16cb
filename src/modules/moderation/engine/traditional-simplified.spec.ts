import { TRADITIONAL_SIMPLIFIED_PAIRS, traditionalToSimplifiedMap } from './traditional-simplified';

describe('traditional → simplified table', () => {
  const map = traditionalToSimplifiedMap();

  it('is a well-formed list of BMP character pairs', () => {
    expect(TRADITIONAL_SIMPLIFIED_PAIRS.length % 2).toBe(0);
    expect(TRADITIONAL_SIMPLIFIED_PAIRS).not.toMatch(/[\s\ud800-\udfff]/);
    expect(map.size).toBe(TRADITIONAL_SIMPLIFIED_PAIRS.length / 2);
    expect(map.size).toBeGreaterThanOrEqual(800);
  });

  it('never maps a character to itself and needs one lookup only (no chains)', () => {
    for (const [traditional, simplified] of map) {
      expect(simplified).not.toBe(traditional);
      expect(map.has(simplified)).toBe(false);
    }
  });

  it('covers the characters of the Advertising Law, fraud and gambling terms', () => {
    const convert = (text: string): string =>
      String.fromCharCode(...Array.from(text, (char) => map.get(char.charCodeAt(0)) ?? char.charCodeAt(0)));
    expect(convert('國家級世界級頂級極品領袖品牌獨一無二銷量第一僅此一家最優價賭博詐騙刷單賺錢')).toBe(
      '国家级世界级顶级极品领袖品牌独一无二销量第一仅此一家最优价赌博诈骗刷单赚钱',
    );
  });
});
