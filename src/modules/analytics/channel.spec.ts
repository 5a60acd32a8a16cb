import { ChannelInput, deriveChannel, hostOf } from './channel';

const visit = (overrides: Partial<ChannelInput>): ChannelInput => ({
  referrerHost: null,
  pageHost: 'shop.example.com',
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  utmTerm: null,
  utmContent: null,
  adId: null,
  ...overrides,
});

describe('deriveChannel', () => {
  it.each([
    ['baidu.com', 'search'],
    ['m.baidu.com', 'search'],
    ['sogou.com', 'search'],
    ['so.com', 'search'],
    ['cn.bing.com', 'search'],
    ['google.com.hk', 'search'],
    ['douyin.com', 'social'],
    ['weibo.cn', 'social'],
    ['xhslink.com', 'social'],
    ['mp.weixin.qq.com', 'social'],
    ['b23.tv', 'social'],
    ['kuaishou.com', 'social'],
    ['mail.qq.com', 'email'],
    ['blog.example.org', 'referral'],
    ['shop.example.com', 'direct'],
    // A host that only ends like a known one is not it.
    ['notbaidu.com', 'referral'],
  ])('a referrer from %s is %s', (referrerHost, channel) => {
    expect(deriveChannel(visit({ referrerHost }))).toBe(channel);
  });

  it('reads UTM fields before the referrer, paid before everything', () => {
    expect(deriveChannel(visit({ utmMedium: 'CPC', referrerHost: 'douyin.com' }))).toBe('ad');
    expect(deriveChannel(visit({ adId: 'ad-1' }))).toBe('ad');
    expect(deriveChannel(visit({ utmMedium: '信息流' }))).toBe('ad');
    expect(deriveChannel(visit({ utmMedium: 'newsletter', referrerHost: 'baidu.com' }))).toBe('email');
    expect(deriveChannel(visit({ utmSource: 'xiaohongshu' }))).toBe('social');
    expect(deriveChannel(visit({ utmMedium: 'organic', utmSource: 'partner' }))).toBe('search');
    expect(deriveChannel(visit({ utmCampaign: 'double-12' }))).toBe('other');
    expect(deriveChannel(visit({}))).toBe('direct');
  });
});

describe('hostOf', () => {
  it('answers the lower-case host without www., or null', () => {
    expect(hostOf('https://WWW.Baidu.com/s?wd=1')).toBe('baidu.com');
    expect(hostOf('android-app://com.ss.android.ugc.aweme')).toBe('com.ss.android.ugc.aweme');
    expect(hostOf('/relative/path')).toBeNull();
    expect(hostOf(null)).toBeNull();
  });
});
