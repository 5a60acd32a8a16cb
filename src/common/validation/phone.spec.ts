import { isMainlandLandline, isMainlandMobile, isMainlandPhone, normalizeMainlandMobile } from './phone';

describe('mainland phone numbers', () => {
  it('accepts 11-digit mobiles starting 13–19', () => {
    for (const n of ['13800138000', '15912345678', '16612345678', '17012345678', '19912345678']) {
      expect(isMainlandMobile(n)).toBe(true);
    }
  });

  it('refuses other shapes', () => {
    for (const n of [
      '12800138000',
      '1380013800',
      '138001380000',
      '+8613800138000',
      '138 0013 8000',
      13800138000,
    ]) {
      expect(isMainlandMobile(n)).toBe(false);
    }
  });

  it('accepts fixed-line numbers with area code as phones', () => {
    expect(isMainlandLandline('010-12345678')).toBe(true);
    expect(isMainlandLandline('075512345678')).toBe(true);
    expect(isMainlandLandline('0571-8888888-123')).toBe(true);
    expect(isMainlandLandline('12345678')).toBe(false);
    expect(isMainlandPhone('13800138000')).toBe(true);
    expect(isMainlandPhone('0755-1234567')).toBe(true);
    expect(isMainlandPhone('hello')).toBe(false);
  });
});

describe('normalizeMainlandMobile', () => {
  it('strips separators and the country prefix', () => {
    expect(normalizeMainlandMobile(' +86 138-0013-8000 ')).toBe('13800138000');
    expect(normalizeMainlandMobile('8613800138000')).toBe('13800138000');
    expect(normalizeMainlandMobile('13800138000')).toBe('13800138000');
  });

  it('leaves what is not a mobile number as it was', () => {
    expect(normalizeMainlandMobile('010-12345678')).toBe('010-12345678');
    expect(normalizeMainlandMobile('+8612345')).toBe('+8612345');
  });
});
