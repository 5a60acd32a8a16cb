import { Channel } from './event.types';

/*
 * Where a visit came from, when the client did not say. The rules, first match wins:
 *
 * 1. an ad id, or a paid `utm_medium` (cpc, ppc, cpm, cpa, cpv, paid*, display, banner, ad, ads,
 *    sem, affiliate, 信息流) → ad;
 * 2. `utm_medium` email, e-mail, newsletter, edm, or the referrer is a web-mail host → email;
 * 3. `utm_medium` social, sns, social-network, social-media, or `utm_source` or the referrer host is
 *    a social platform → social;
 * 4. `utm_medium` organic, seo, or `utm_source` or the referrer host is a search engine → search;
 * 5. any other UTM field present → other;
 * 6. no referrer, or the referrer is the page's own host (internal navigation) → direct;
 * 7. any other referrer → referral.
 *
 * Hosts match on their registrable suffix: `m.baidu.com` is baidu.com.
 */

const SEARCH_HOSTS = [
  'baidu.com',
  'sogou.com',
  'so.com',
  'sm.cn',
  'bing.com',
  'google.com',
  'google.com.hk',
  'google.cn',
  'yandex.ru',
  'yandex.com',
  'duckduckgo.com',
  'yahoo.com',
  'quark.cn',
];
const SEARCH_SOURCES = [
  'baidu',
  'sogou',
  '360',
  'so',
  'shenma',
  'sm',
  'bing',
  'google',
  'yandex',
  'duckduckgo',
  'yahoo',
  'quark',
];

const SOCIAL_HOSTS = [
  'douyin.com',
  'iesdouyin.com',
  'weibo.com',
  'weibo.cn',
  't.cn',
  'xiaohongshu.com',
  'xhslink.com',
  'weixin.qq.com',
  'wechat.com',
  'qzone.qq.com',
  'bilibili.com',
  'b23.tv',
  'kuaishou.com',
  'gifshow.com',
  'zhihu.com',
  'toutiao.com',
  'douban.com',
  'tiktok.com',
  'facebook.com',
  'instagram.com',
  'twitter.com',
  'x.com',
  't.co',
  'linkedin.com',
  'youtube.com',
  'reddit.com',
];
const SOCIAL_SOURCES = [
  'douyin',
  'weibo',
  'xiaohongshu',
  'xhs',
  'redbook',
  'wechat',
  'weixin',
  'bilibili',
  'kuaishou',
  'zhihu',
  'toutiao',
  'douban',
  'qq',
  'tiktok',
  'facebook',
  'instagram',
  'twitter',
  'linkedin',
  'youtube',
];

const MAIL_HOSTS = [
  'mail.qq.com',
  'exmail.qq.com',
  'mail.163.com',
  'mail.126.com',
  'mail.sina.com.cn',
  'mail.google.com',
  'outlook.live.com',
  'outlook.office.com',
];

const PAID_MEDIUM = /^(cpc|ppc|cpm|cpa|cpv|paid.*|display|banner|ads?|sem|affiliate|信息流)$/;
const EMAIL_MEDIUM = /^(e-?mail|newsletter|edm)$/;
const SOCIAL_MEDIUM = /^(social|sns|social[-_ ]?(network|media))$/;
const SEARCH_MEDIUM = /^(organic|seo)$/;

export interface ChannelInput {
  referrerHost: string | null;
  pageHost: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  adId: string | null;
}

const within = (host: string, domains: readonly string[]) =>
  domains.some((domain) => host === domain || host.endsWith(`.${domain}`));

export function deriveChannel(input: ChannelInput): Channel {
  const medium = input.utmMedium?.trim().toLowerCase() ?? '';
  const source = input.utmSource?.trim().toLowerCase() ?? '';
  const host = input.referrerHost;

  if (input.adId || PAID_MEDIUM.test(medium)) return 'ad';
  if (EMAIL_MEDIUM.test(medium) || (host !== null && within(host, MAIL_HOSTS))) return 'email';
  if (
    SOCIAL_MEDIUM.test(medium) ||
    SOCIAL_SOURCES.includes(source) ||
    (host !== null && within(host, SOCIAL_HOSTS))
  )
    return 'social';
  if (
    SEARCH_MEDIUM.test(medium) ||
    SEARCH_SOURCES.includes(source) ||
    (host !== null && within(host, SEARCH_HOSTS))
  )
    return 'search';
  if (medium || source || input.utmCampaign || input.utmTerm || input.utmContent) return 'other';
  if (host === null || host === input.pageHost) return 'direct';
  return 'referral';
}

/** The lower-cased host of a URL, or null when it has none (relative, malformed, `android-app:`…). */
export function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return normalizeHost(new URL(url).hostname);
  } catch {
    return null;
  }
}

/** A URL's hostname as channel rules compare it: lower case, without `www.`; null when empty or too long. */
export function normalizeHost(hostname: string): string | null {
  const host = hostname.toLowerCase();
  return host.length > 0 && host.length <= 255 ? host.replace(/^www\./, '') : null;
}
