/**
 * Contact points: how a customer is reached. Values are stored normalised so that one phone or email
 * written two ways is still one contact point: CN mobiles as E.164 (+86…), other phones as E.164 from a
 * leading `+`, emails lower-cased, Douyin and WeChat ids trimmed. An `analytics` point is the `userId`
 * the customer carries in the organization's tracked events (1–128 characters, as analytics accepts it,
 * kept exactly): it links the profile to its purchases there (lifetime value).
 */
export const CONTACT_KINDS = ['phone', 'email', 'douyin', 'wechat', 'analytics'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** Kinds that are personal data: masked in every response unless the reader may see them. */
export const PERSONAL_KINDS: ReadonlySet<ContactKind> = new Set(['phone', 'email']);

const CN_MOBILE = /^1[3-9]\d{9}$/;
const E164 = /^\+[1-9]\d{7,14}$/;
// Deliberately plain: one @, a dot in the domain, no spaces; the mailbox itself is the channel's problem.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const PLATFORM_ID = /^[A-Za-z0-9_.-]{1,64}$/;
// An analytics userId as events carry it: up to 128 characters, no control characters.
// eslint-disable-next-line no-control-regex
const ANALYTICS_USER_ID = /^[^\u0000-\u001f\u007f]{1,128}$/u;

/** The normalised value, or null when the value is not a valid contact of that kind. */
export function normaliseContact(kind: ContactKind, raw: string): string | null {
  const value = raw.trim();
  switch (kind) {
    case 'phone': {
      const compact = value.replace(/[\s\-().]/g, '');
      if (CN_MOBILE.test(compact)) return `+86${compact}`;
      const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
      if (/^\+86/.test(international)) {
        return CN_MOBILE.test(international.slice(3)) ? international : null;
      }
      if (/^86\d{11}$/.test(international) && CN_MOBILE.test(international.slice(2)))
        return `+${international}`;
      return E164.test(international) ? international : null;
    }
    case 'email': {
      const lower = value.toLowerCase();
      return lower.length <= 254 && EMAIL.test(lower) ? lower : null;
    }
    case 'douyin':
    case 'wechat':
      return PLATFORM_ID.test(value) ? value : null;
    case 'analytics':
      return ANALYTICS_USER_ID.test(value) ? value : null;
  }
}

/** What a reader without `customers:read-pii` (or not asking for it) sees: 138****0000, a***@example.com. */
export function maskContact(kind: ContactKind, value: string): string {
  if (kind === 'phone') {
    const digits = value.startsWith('+86') ? value.slice(3) : value.replace(/^\+/, '');
    if (digits.length <= 7) return '*'.repeat(digits.length);
    return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  }
  if (kind === 'email') {
    const at = value.lastIndexOf('@');
    return `${value.slice(0, 1)}***${value.slice(at)}`;
  }
  return value;
}

/** A value as shown: masked for personal kinds unless `unmasked`. */
export function presentContact(kind: ContactKind, value: string, unmasked: boolean): string {
  return unmasked || !PERSONAL_KINDS.has(kind) ? value : maskContact(kind, value);
}
