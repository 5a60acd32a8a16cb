import {
  creditCodeCheckCharacter,
  inspectCreditCode,
  isCreditCode,
  normalizeCreditCode,
} from './credit-code';

describe('unified social credit code', () => {
  it('accepts published codes', () => {
    for (const code of ['91350100M000100Y43', '91110000802100433B', '914403001922038216']) {
      expect(isCreditCode(code)).toBe(true);
    }
  });

  it('maps a remainder of 0 to the check character 0 (31 → 0)', () => {
    expect(creditCodeCheckCharacter('91110000100000002')).toBe('0');
    expect(isCreditCode('911100001000000020')).toBe(true);
  });

  it('refuses a wrong check character', () => {
    expect(inspectCreditCode('91350100M000100Y44')).toEqual({ valid: false, problem: 'check_character' });
    expect(inspectCreditCode('91310000MA1FL0YG2X')).toEqual({ valid: false, problem: 'check_character' });
  });

  it('refuses characters outside the GB 32100 set and wrong lengths', () => {
    for (const code of [
      '91350100M000100Y4',
      '91350100M000100Y433',
      '91350100I000100Y43',
      '91350100O000100Y43',
      '91350100Z000100Y43',
      '91350100S000100Y43',
      '91350100V000100Y43',
      '91350100m000100Y43',
      '',
      7,
    ]) {
      expect(inspectCreditCode(code)).toEqual({ valid: false, problem: 'format' });
    }
  });

  it('normalizes case and spaces', () => {
    expect(normalizeCreditCode(' 91350100m000 100y43 ')).toBe('91350100M000100Y43');
  });
});
