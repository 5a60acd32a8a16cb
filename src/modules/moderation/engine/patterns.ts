import { inspectResidentId } from '../../../common/validation/resident-id';
import { Action, Finding, Severity } from './findings';

/**
 * Detectors for personal data and contact diversion, which a word list cannot express: numbers with
 * check digits, e-mail addresses, "微信: abc_123". They run on the original text with only a length-
 * keeping touch-up (full-width → ASCII) and invisible characters removed, mapped back to the original
 * offsets, so `text.slice(start, end)` is exactly what was found.
 */

export type PatternKind =
  'id_number' | 'bank_card' | 'mobile_phone' | 'email' | 'wechat_id' | 'contact_phrase';

interface PatternRule {
  category: string;
  severity: Severity;
  action: Action;
  hint: string;
}

/** ID and card numbers are blocked outright: publishing them harms a person at once. */
export const PATTERN_RULES: Readonly<Record<PatternKind, PatternRule>> = {
  id_number: {
    category: 'privacy.id_number',
    severity: 'high',
    action: 'block',
    hint: 'Contains a resident ID number (valid check digit): personal information must not be published.',
  },
  bank_card: {
    category: 'privacy.bank_card',
    severity: 'high',
    action: 'block',
    hint: 'Contains a bank card number (valid Luhn check): financial data must not be published.',
  },
  mobile_phone: {
    category: 'privacy.phone',
    severity: 'medium',
    action: 'review',
    hint: 'Contains a mainland mobile number: personal data or an attempt to take the conversation off platform.',
  },
  email: {
    category: 'privacy.email',
    severity: 'medium',
    action: 'review',
    hint: 'Contains an e-mail address: personal data or an off-platform contact.',
  },
  wechat_id: {
    category: 'contact_diversion',
    severity: 'medium',
    action: 'review',
    hint: 'Gives a WeChat/QQ account: platforms forbid moving users off platform.',
  },
  contact_phrase: {
    category: 'contact_diversion',
    severity: 'medium',
    action: 'review',
    hint: 'Invites users to contact privately or off platform.',
  },
};

export interface DetectOptions {
  /**
   * Read Chinese numerals and circled, parenthesised or full-stop digits as digits in runs of five or
   * more (一三八零零一三八零零零, 138零零138000), so the number detectors see them (default true).
   */
  numerals?: boolean;
}

export function detectPatterns(text: string, now?: Date, options: DetectOptions = {}): Finding[] {
  if (text.length === 0) return [];
  const light = lighten(text, options.numerals ?? true);
  const found: Found[] = [];
  detectNumbers(light.text, found, now);
  detectWithRegex(light.text, EMAIL, 'email', found);
  detectWithRegex(light.text, WECHAT_ID, 'wechat_id', found);
  detectWithRegex(light.text, CONTACT_PHRASE, 'contact_phrase', found);
  return found.map(({ kind, start, end }) => {
    const from = originalOffset(light, start);
    const to = originalOffset(light, end - 1) + 1;
    const rule = PATTERN_RULES[kind];
    return {
      term: kind,
      category: rule.category,
      severity: rule.severity,
      action: rule.action,
      start: from,
      end: to,
      matchedText: text.slice(from, to),
      source: 'pattern',
      via: [],
      hint: rule.hint,
    };
  });
}

/** ISO/IEC 7812 (Luhn) check over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let digit = digits.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

interface Found {
  kind: PatternKind;
  /** Offsets into the lightened text. */
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------------------------
// Lightening: full-width forms to ASCII (same length), invisible characters out (offsets kept).

interface LightText {
  text: string;
  /**
   * Where invisible characters were removed: at light index `at[k]`, `removed[k]` characters had been
   * removed in total. Empty when none were (the usual case), so offsets are the original ones.
   */
  at: number[];
  removed: number[];
}

/**
 * Format characters (soft hyphen, zero-width and direction marks, word joiners, BOM, tags) and the
 * combining marks and variation selectors that can ride on Latin letters, digits and emoji. Spelled
 * out instead of \p{Cf}\p{M}: a class without the `u` flag scans several times faster, and marks of
 * other scripts cannot hide a number or an e-mail address anyway.
 */
const INVISIBLE_RUN =
  /(?:[\u0300-\u036F\u1DC0-\u1DFF\u20D0-\u20F0\uFE00-\uFE0F\uFE20-\uFE2F]|[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDDEF])+/g;
/** Full-width forms a detector cares about (digits, letters, ＠ ． － ＋ ＿, the ideographic space). */
const HAS_WIDE = /[\uFF0B\uFF0D\uFF0E\uFF10-\uFF19\uFF20-\uFF3A\uFF3F\uFF41-\uFF5A\u3000]/;
const WIDE = /[\uFF01-\uFF5E\u3000]/g;

/**
 * Digits written otherwise, each one UTF-16 unit (so offsets stay): Chinese numerals (lower-case,
 * financial, 幺 and 两, 〇 and the ○ often written for it), circled (① ⓪ ❶ ➀ ➊ ⓵), parenthesised (⑴) and
 * full-stop (⒈) digits. 十百千 are positional, not digits, and stay.
 */
const NUMERAL_DIGITS: Readonly<Record<string, string>> = (() => {
  const table: Record<string, string> = {};
  const add = (chars: string, digit: number) => {
    for (const char of chars) table[char] = String(digit);
  };
  [
    '〇零○⓪',
    '一壹弌幺',
    '二贰貳弍两兩',
    '三叁叄弎',
    '四肆',
    '五伍',
    '六陆陸',
    '七柒',
    '八捌',
    '九玖',
  ].forEach(add);
  const ranges: [number, number][] = [
    [0x2460, 1], // ①
    [0x2474, 1], // ⑴
    [0x2488, 1], // ⒈
    [0x2776, 1], // ❶
    [0x2780, 1], // ➀
    [0x278a, 1], // ➊
    [0x24f5, 1], // ⓵
  ];
  for (const [first, digit] of ranges) {
    for (let k = 0; k < 9; k += 1) table[String.fromCharCode(first + k)] = String(digit + k);
  }
  return table;
})();
const NUMERAL_CLASS = Object.keys(NUMERAL_DIGITS).join('');
const HAS_NUMERAL = new RegExp(`[${NUMERAL_CLASS}]`);
/** A run of at least five digits of any style, with the separators the number detectors accept. */
const NUMERAL_RUN = new RegExp(
  `[${NUMERAL_CLASS}0-9](?:[ \\t.\\-\u00a0\u2013]{0,3}[${NUMERAL_CLASS}0-9]){4,}`,
  'g',
);
const NUMERAL = new RegExp(`[${NUMERAL_CLASS}]`, 'g');
const toDigit = (char: string): string => NUMERAL_DIGITS[char];

/**
 * Invisible characters (format characters such as U+200B, combining marks, variation selectors) are
 * cut out, remembering where; full-width characters then map one to one. Ordinary Chinese punctuation
 * such as ，。！ does not need the replacement, so most posts go through untouched.
 */
function lighten(text: string, numerals: boolean): LightText {
  const at: number[] = [];
  const removed: number[] = [];
  const parts: string[] = [];
  let from = 0;
  let total = 0;
  INVISIBLE_RUN.lastIndex = 0;
  for (let run = INVISIBLE_RUN.exec(text); run; run = INVISIBLE_RUN.exec(text)) {
    if (decorates(text.charCodeAt(run.index - 1))) continue;
    parts.push(text.slice(from, run.index));
    at.push(run.index - total);
    total += run[0].length;
    removed.push(total);
    from = run.index + run[0].length;
  }
  let light = text;
  if (parts.length > 0) {
    parts.push(text.slice(from));
    light = parts.join('');
  }
  if (HAS_WIDE.test(light)) light = light.replace(WIDE, toAscii);
  if (numerals && HAS_NUMERAL.test(light)) {
    light = light.replace(NUMERAL_RUN, (run) => run.replace(NUMERAL, toDigit));
  }
  return { text: light, at, removed };
}

/**
 * Joiners and variation selectors after an emoji or a symbol only decorate it, and no detector
 * matches across an emoji anyway: leaving them in spares copying most posts that use emoji.
 */
const decorates = (unit: number): boolean =>
  (unit >= 0xdc00 && unit <= 0xdfff) || (unit >= 0x2000 && unit <= 0x2bff);

const toAscii = (char: string): string => {
  const code = char.charCodeAt(0);
  return code === 0x3000 ? ' ' : String.fromCharCode(code - 0xfee0);
};

/** The original offset of the character at `index` of the lightened text. */
function originalOffset(light: LightText, index: number): number {
  const { at, removed } = light;
  let low = 0;
  let high = at.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (at[middle] <= index) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? index : index + removed[low - 1];
}

// ---------------------------------------------------------------------------------------------------
// Numbers: ID, card and phone numbers share one pass over digit runs.

/** A digit group: digits with no separator inside; an ID number's final X belongs to its group. */
interface Group {
  start: number;
  end: number;
  digits: string;
}

/** Spaces, dashes and dots people put between digit groups (138 0013 8000, 6222-0212-…). */
const isSeparator = (code: number): boolean =>
  code === 0x20 || code === 0x2d || code === 0x2e || code === 0x09 || code === 0xa0 || code === 0x2013;
const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isAsciiAlphanumeric = (code: number): boolean =>
  isDigit(code) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
const MAX_SEPARATORS = 3;
const MAX_DIGITS = 19;

/**
 * A run is a maximal sequence of digit groups joined by short separators. Candidates are spans of whole
 * consecutive groups, so a number is never cut out of the middle of a longer digit group (no phone
 * number found inside an order number), while "电话 138 0013 8000 100元" still yields the phone.
 */
function detectNumbers(text: string, found: Found[], now: Date | undefined): void {
  const size = text.length;
  let i = 0;
  while (i < size) {
    if (!isDigit(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    const groups: Group[] = [];
    for (;;) {
      const start = i;
      while (i < size && isDigit(text.charCodeAt(i))) i += 1;
      let digits = text.slice(start, i);
      const next = text.charCodeAt(i);
      const closingX = (next === 0x58 || next === 0x78) && !isAsciiAlphanumeric(text.charCodeAt(i + 1));
      if (closingX) {
        i += 1;
        digits += 'X';
      }
      groups.push({ start, end: i, digits });
      if (closingX) break;
      let after = i;
      while (after < size && after - i < MAX_SEPARATORS && isSeparator(text.charCodeAt(after))) after += 1;
      if (after === i || !isDigit(text.charCodeAt(after))) break;
      i = after;
    }
    selectNumbers(text, groups, found, now);
  }
}

interface NumberCandidate extends Found {
  priority: number;
  firstGroup: number;
  lastGroup: number;
}

function selectNumbers(text: string, groups: Group[], found: Found[], now: Date | undefined): void {
  const candidates: NumberCandidate[] = [];
  for (let first = 0; first < groups.length; first += 1) {
    const lead = groups[first].digits.charCodeAt(0);
    let count = 0;
    for (let last = first; last < groups.length; last += 1) {
      count += groups[last].digits.length;
      if (count > MAX_DIGITS) break;
      if (!worthChecking(lead, count)) continue;
      let digits = '';
      for (let group = first; group <= last; group += 1) digits += groups[group].digits;
      const kind = classifyNumber(digits, now);
      if (!kind) continue;
      let start = groups[first].start;
      if (kind === 'mobile_phone' && digits.length === 13 && text.charCodeAt(start - 1) === 0x2b) start -= 1;
      const priority = NUMBER_PRIORITY[kind];
      candidates.push({ kind, start, end: groups[last].end, priority, firstGroup: first, lastGroup: last });
    }
  }
  if (candidates.length === 0) return;
  // The most specific reading wins (an ID number is also a Luhn-valid card sometimes), then the longest.
  candidates.sort(
    (a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const taken = new Uint8Array(groups.length);
  for (const candidate of candidates) {
    if (taken.subarray(candidate.firstGroup, candidate.lastGroup + 1).includes(1)) continue;
    taken.fill(1, candidate.firstGroup, candidate.lastGroup + 1);
    found.push({ kind: candidate.kind, start: candidate.start, end: candidate.end });
  }
}

type NumberKind = 'id_number' | 'bank_card' | 'mobile_phone';
const NUMBER_PRIORITY: Record<NumberKind, number> = { id_number: 3, bank_card: 2, mobile_phone: 1 };

/**
 * A cheap filter on the first digit and the length before building the digits: a run of thousands of
 * short groups ("1 1 1 …") must not cost a string and a check for every window.
 */
function worthChecking(lead: number, count: number): boolean {
  const card = lead === 0x39 || (lead >= 0x32 && lead <= 0x36);
  if (count === 18) return lead !== 0x30;
  if (count === 11) return lead === 0x31;
  if (count === 13 && lead === 0x38) return true;
  return count >= 13 && card;
}

/** Card numbers start with MII 2–6 or 9 (banking, UnionPay 62…); excluding 0/1/7/8 spares timestamps. */
const CARD_PREFIX = /^[2-69]/;
const MOBILE = /^(?:86)?1[3-9]\d{9}$/;

function classifyNumber(digits: string, now: Date | undefined): NumberKind | null {
  const length = digits.length;
  if (length === 18 && inspectResidentId(digits, now).valid) return 'id_number';
  if (digits.endsWith('X')) return null;
  if (length >= 13 && CARD_PREFIX.test(digits) && luhnValid(digits)) return 'bank_card';
  if ((length === 11 || length === 13) && MOBILE.test(digits)) return 'mobile_phone';
  return null;
}

// ---------------------------------------------------------------------------------------------------
// E-mail and contact diversion: regular expressions over the lightened text.

/**
 * The lookbehind makes a match start only where a local part starts, which keeps the scan linear on
 * long runs of letters without an @.
 */
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

/**
 * A WeChat/QQ handle word followed by an account: WeChat IDs are 6–20 characters starting with a
 * letter, QQ numbers 5–12 digits, and phone numbers double as WeChat IDs. One-character handles
 * (v, 微, 薇, 威) count only before a colon, as "v" alone is too common a letter. Separators are
 * bounded ({0,6}, not *): adjacent unbounded whitespace runs would backtrack polynomially.
 */
const WECHAT_ID =
  /(?<![A-Za-z0-9])(?:微信号?|威信|薇信|维信|徽信|卫星号|v信|vx|wx|weixin|wechat|vchat|扣扣|qq|(?:v|微|薇|威)(?=\s{0,3}[:：]))[\s:：=]{0,6}(?:(?:号码?|号是|是)[\s:：]{0,4})?(?:[A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,12})(?![-_A-Za-z0-9])/gi;

/**
 * Invitations to move off platform. A lone v/q must not start a word ("加VIP会员" is fine); 威 is
 * left out, as 增加威信 (more prestige) is ordinary Chinese.
 */
const CONTACT_PHRASE =
  /加\s{0,2}(?:我\s{0,2})?(?:个\s{0,2})?(?:微信|薇信?|维信|v信|vx|wx|扣扣|企鹅|(?:v|q|qq)(?![A-Za-z]))|私信我|私聊我?|联系方式/gi;

function detectWithRegex(text: string, pattern: RegExp, kind: PatternKind, found: Found[]): void {
  if (pattern === EMAIL && !text.includes('@')) return;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    found.push({ kind, start: match.index, end: match.index + match[0].length });
  }
}
