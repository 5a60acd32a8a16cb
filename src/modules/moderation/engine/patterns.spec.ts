import { detectPatterns, luhnValid } from './patterns';

const NOW = new Date('2025-06-01T00:00:00Z');

/** `[term, matched text]` for each finding, and a check that the offsets really point at it. */
function found(text: string): [string, string][] {
  return detectPatterns(text, NOW).map((finding) => {
    expect(text.slice(finding.start, finding.end)).toBe(finding.matchedText);
    return [finding.term, finding.matchedText];
  });
}

describe('private-data patterns', () => {
  describe('resident ID numbers', () => {
    it('finds valid numbers, with a lower-case x or separators', () => {
      expect(found('身份证11010519491231002X。')).toEqual([['id_number', '11010519491231002X']]);
      expect(found('号码 11010519491231002x')).toEqual([['id_number', '11010519491231002x']]);
      expect(found('110101 19900307 4477 谢谢')).toEqual([['id_number', '110101 19900307 4477']]);
    });

    it('finds full-width and zero-width-split numbers, mapped to the original offsets', () => {
      expect(found('证：１１０１０１１９９００３０７４４７７')).toEqual([
        ['id_number', '１１０１０１１９９００３０７４４７７'],
      ]);
      expect(found('证 110101\u200b199003074477')).toEqual([['id_number', '110101\u200b199003074477']]);
    });

    it('ignores a wrong check digit, region or birth date', () => {
      expect(found('110101199003074478')).toEqual([]);
      // Check digits right, but region 99 does not exist / born in 2099.
      expect(found('990101199003074470')).toEqual([]);
      expect(found('110101209903074479')).toEqual([]);
    });

    it('carries block severity', () => {
      const [finding] = detectPatterns('11010519491231002X', NOW);
      expect(finding).toMatchObject({
        category: 'privacy.id_number',
        action: 'block',
        severity: 'high',
        source: 'pattern',
      });
    });
  });

  describe('mobile numbers', () => {
    it('finds plain, separated, +86-prefixed and full-width numbers', () => {
      expect(found('电话13800138000')).toEqual([['mobile_phone', '13800138000']]);
      expect(found('call 138 0013 8000 now')).toEqual([['mobile_phone', '138 0013 8000']]);
      expect(found('tel:+86 138-0013-8000')).toEqual([['mobile_phone', '+86 138-0013-8000']]);
      expect(found('8613800138000')).toEqual([['mobile_phone', '8613800138000']]);
      expect(found('１３８００１３８０００')).toEqual([['mobile_phone', '１３８００１３８０００']]);
    });

    it('finds a number followed by an unrelated one after a space', () => {
      expect(found('电话 138 0013 8000 100元')).toEqual([['mobile_phone', '138 0013 8000']]);
    });

    it('ignores non-mobile prefixes, wrong lengths and numbers inside longer digit runs', () => {
      expect(found('12800138000')).toEqual([]);
      expect(found('1380013800')).toEqual([]);
      expect(found('订单号 2213800138000789')).toEqual([]);
      expect(found('138001380001')).toEqual([]);
    });

    it('carries review severity', () => {
      const [finding] = detectPatterns('13800138000', NOW);
      expect(finding).toMatchObject({ category: 'privacy.phone', action: 'review' });
    });
  });

  describe('bank card numbers', () => {
    it('checks Luhn', () => {
      expect(luhnValid('4111111111111111')).toBe(true);
      expect(luhnValid('4111111111111112')).toBe(false);
      expect(luhnValid('')).toBe(false);
      expect(luhnValid('41x1')).toBe(false);
    });

    it('finds Luhn-valid 13–19 digit numbers, grouped or not', () => {
      expect(found('卡号6222021234567890128')).toEqual([['bank_card', '6222021234567890128']]);
      expect(found('卡号 6212 2602 0001 2345 670')).toEqual([['bank_card', '6212 2602 0001 2345 670']]);
      expect(found('visa 4111-1111-1111-1111.')).toEqual([['bank_card', '4111-1111-1111-1111']]);
      expect(found('amex 378282246310005')).toEqual([['bank_card', '378282246310005']]);
    });

    it('ignores a bad Luhn digit and numbers that cannot be cards', () => {
      expect(found('卡号6222021234567890127')).toEqual([]);
      expect(found('4111 1111 1111 1112')).toEqual([]);
      // A millisecond timestamp passes Luhn often enough, but no card starts with 1.
      expect(found('1700000000008')).toEqual([]);
    });

    it('carries block severity', () => {
      const [finding] = detectPatterns('4111111111111111', NOW);
      expect(finding).toMatchObject({ category: 'privacy.bank_card', action: 'block', severity: 'high' });
    });
  });

  describe('e-mail addresses', () => {
    it('finds addresses, also in full-width form', () => {
      expect(found('邮箱 foo.bar+x@mail.example.com。')).toEqual([['email', 'foo.bar+x@mail.example.com']]);
      expect(found('ｆｏｏ＠ｑｑ．ｃｏｍ')).toEqual([['email', 'ｆｏｏ＠ｑｑ．ｃｏｍ']]);
      expect(found('写信 foo\u200b@\u200dqq.com')).toEqual([['email', 'foo\u200b@\u200dqq.com']]);
    });

    it('ignores what is not an address', () => {
      expect(found('foo@bar 和 @某人 和 a@b.c')).toEqual([]);
    });

    it('stays linear on a long run of letters without an @', () => {
      const started = Date.now();
      expect(found(`${'a'.repeat(200_000)}@`)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  describe('contact diversion', () => {
    it('finds WeChat and QQ accounts after a handle', () => {
      expect(found('微信: abc_123')).toEqual([['wechat_id', '微信: abc_123']]);
      expect(found('VX abc123')).toEqual([['wechat_id', 'VX abc123']]);
      expect(found('v信：abc_1234 见')).toEqual([['wechat_id', 'v信：abc_1234']]);
      expect(found('wx:abcdef1')).toEqual([['wechat_id', 'wx:abcdef1']]);
      expect(found('V：shop-666 哦')).toEqual([['wechat_id', 'V：shop-666']]);
      expect(found('扣扣 12345678')).toEqual([['wechat_id', '扣扣 12345678']]);
    });

    it('finds invitations to private contact', () => {
      expect(found('加我微信')).toEqual([['contact_phrase', '加我微信']]);
      expect(found('加薇了解')).toEqual([['contact_phrase', '加薇']]);
      expect(found('加V')).toEqual([['contact_phrase', '加V']]);
      expect(found('有事私信我')).toEqual([['contact_phrase', '私信我']]);
      expect(found('留下联系方式')).toEqual([['contact_phrase', '联系方式']]);
    });

    it('leaves ordinary words alone', () => {
      expect(found('开通加VIP会员')).toEqual([]);
      expect(found('增加威信')).toEqual([]);
      expect(found('vx')).toEqual([]);
      expect(found('wxyz abcdef')).toEqual([]);
    });

    it('carries review severity', () => {
      const [finding] = detectPatterns('加我微信', NOW);
      expect(finding).toMatchObject({ category: 'contact_diversion', action: 'review' });
    });
  });

  // A backtracking or quadratic scan of these inputs runs for minutes: the test's timeout is the guard.
  // How fast the detectors are is measured by `npm run bench:moderation`, not asserted here.
  it('stays linear on adversarial input', () => {
    expect(found(`微信${' '.repeat(100_000)}`)).toEqual([]);
    expect(found(`加${' '.repeat(100_000)}`)).toEqual([]);
    expect(found(`x${'a'.repeat(100_000)}@`)).toEqual([]);
    expect(found('1 '.repeat(100_000))).toEqual([]);
    expect(found('13 8 0 0 1 3 8 0 0 0 '.repeat(10_000)).length).toBeGreaterThan(0);
  }, 20_000);

  it('reports a phone number given as a WeChat account as both', () => {
    expect(found('微信 13800138000')).toEqual([
      ['mobile_phone', '13800138000'],
      ['wechat_id', '微信 13800138000'],
    ]);
  });
});
