import { inspectResidentId } from '../../../common/validation/resident-id';
import { computeFold, foldTable } from './char-fold';
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
    const [from, to] = originalSpan(light, start, end);
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

/**
 * Where characters were removed: at index `at[k]` of the shorter text, `removed[k]` characters had
 * been removed in total. Empty when none were (the usual case), so offsets are the same.
 */
interface OffsetShift {
  at: number[];
  removed: number[];
}

interface LightText {
  text: string;
  /** Invisible characters cut out of the original. */
  cut: OffsetShift;
  /** Supplementary-plane digits made one unit, after the cut (null when there were none to read). */
  shrunk: OffsetShift | null;
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
 * Digits written otherwise, which the number detectors read as digits: every character the folds
 * turn into an ASCII digit (Chinese numerals, lower-case and financial, 幺 and 两; circled ①,
 * parenthesised ⑴ and full-stop ⒈ digits; super- and subscripts; mathematical 𝟏 and the other
 * supplementary-plane digits), plus ○ (often written for 〇) and the dingbat circles (❶ ➀ ➊ ⓵), which
 * have no compatibility decomposition. 十百千 are positional, not digits, and stay.
 */
const EXTRA_NUMERALS: readonly [first: number, digit: number, count: number][] = [
  [0x25cb, 0, 1], // ○
  [0x2776, 1, 9], // ❶
  [0x2780, 1, 9], // ➀
  [0x278a, 1, 9], // ➊
  [0x24f5, 1, 9], // ⓵
];
/**
 * The supplementary-plane blocks holding digits (mathematical digits U+1D7CE–U+1D7FF among them):
 * a unit test checks that no other code point of planes 1–3 folds to a digit.
 */
export const ASTRAL_DIGIT_BLOCKS: readonly [first: number, last: number][] = [
  [0x1ccf0, 0x1ccf9],
  [0x1d7ce, 0x1d7ff],
  [0x1f100, 0x1f10a],
  [0x1fbf0, 0x1fbf9],
];

interface DigitTables {
  /** BMP code unit → its digit + 1 (0: not a digit); ASCII digits included. */
  bmp: Uint8Array;
  /** Supplementary code point → its digit. */
  astral: ReadonlyMap<number, number>;
}

let digitTables: DigitTables | undefined;

/** Built from the extended fold table on first use, so the detectors read what the folds read. */
function numeralDigits(): DigitTables {
  if (digitTables) return digitTables;
  const folds = foldTable('extended');
  const bmp = new Uint8Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit += 1) {
    if (isDigit(folds.bmp[unit])) bmp[unit] = folds.bmp[unit] - 0x30 + 1;
  }
  for (const [first, digit, count] of EXTRA_NUMERALS) {
    for (let k = 0; k < count; k += 1) bmp[first + k] = digit + k + 1;
  }
  const astral = new Map<number, number>();
  for (const [first, last] of ASTRAL_DIGIT_BLOCKS) {
    for (let code = first; code <= last; code += 1) {
      const folded = computeFold(code, 'extended').code;
      if (isDigit(folded)) astral.set(code, folded - 0x30);
    }
  }
  digitTables = { bmp, astral };
  return digitTables;
}

/** What a digit of any style at `i` is worth, or -1; `width` gets its UTF-16 length. */
function digitAt(text: string, i: number, tables: DigitTables, width: Int8Array): number {
  const unit = text.charCodeAt(i);
  if ((unit & 0xfc00) === 0xd800) {
    const low = text.charCodeAt(i + 1);
    if ((low & 0xfc00) !== 0xdc00) return -1;
    const digit = tables.astral.get(((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
    width[0] = 2;
    return digit ?? -1;
  }
  width[0] = 1;
  return tables.bmp[unit] - 1;
}

const MIN_NUMERAL_RUN = 5;
const isRunSeparator = (code: number): boolean =>
  code === 0x20 || code === 0x09 || code === 0x2e || code === 0x2d || code === 0xa0 || code === 0x2013;
const widthOf = new Int8Array(1);

/**
 * Digits of other styles become ASCII digits inside runs of at least five digits of any style (with
 * up to three of the separators the number detectors accept between them): 一三八零零一三八零零零,
 * 138零零138000, 𝟏𝟑𝟖…. Shorter runs stay, as 一 alone is an ordinary word. A supplementary-plane
 * digit takes two code units and becomes one, which `shrunk` records. Returns null when nothing
 * changes (almost every post: its 一 and 二 stand alone).
 */
function readNumerals(text: string): { text: string; shrunk: OffsetShift } | null {
  const tables = numeralDigits();
  const size = text.length;
  let parts: string[] | null = null;
  let copied = 0;
  const shrunk: OffsetShift = { at: [], removed: [] };
  let removed = 0;
  let outLength = 0;
  let i = 0;
  while (i < size) {
    if (digitAt(text, i, tables, widthOf) < 0) {
      i += 1;
      continue;
    }
    // A run: digits with at most three separators between two of them.
    const runStart = i;
    let digits = 0;
    let plain = true;
    let runEnd = i;
    for (;;) {
      const digit = digitAt(text, i, tables, widthOf);
      if (digit < 0) break;
      if (widthOf[0] !== 1 || text.charCodeAt(i) !== 0x30 + digit) plain = false;
      digits += 1;
      i += widthOf[0];
      runEnd = i;
      let after = i;
      while (after < size && after - i < MAX_SEPARATORS && isRunSeparator(text.charCodeAt(after))) after += 1;
      if (after >= size || digitAt(text, after, tables, widthOf) < 0) break;
      i = after;
    }
    i = runEnd;
    if (digits < MIN_NUMERAL_RUN || plain) continue;
    parts ??= [];
    parts.push(text.slice(copied, runStart));
    outLength += runStart - copied;
    let out = '';
    for (let k = runStart; k < runEnd;) {
      const digit = digitAt(text, k, tables, widthOf);
      if (digit < 0) {
        out += text[k];
        k += 1;
        continue;
      }
      out += String.fromCharCode(0x30 + digit);
      k += widthOf[0];
      if (widthOf[0] === 2) {
        removed += 1;
        shrunk.at.push(outLength + out.length);
        shrunk.removed.push(removed);
      }
    }
    parts.push(out);
    outLength += out.length;
    copied = runEnd;
  }
  if (!parts) return null;
  parts.push(text.slice(copied));
  return { text: parts.join(''), shrunk };
}

/**
 * Invisible characters (format characters such as U+200B, combining marks, variation selectors) are
 * cut out, remembering where; full-width characters then map one to one; digits of other styles in
 * runs become ASCII digits. Ordinary Chinese punctuation such as ，。！ does not need the
 * replacement, so most posts go through untouched.
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
  const read = numerals ? readNumerals(light) : null;
  return read
    ? { text: read.text, cut: { at, removed }, shrunk: read.shrunk }
    : { text: light, cut: { at, removed }, shrunk: null };
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

/** The offset before a shift of the character at `index` after it. */
function unshift(shift: OffsetShift, index: number): number {
  const { at, removed } = shift;
  let low = 0;
  let high = at.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (at[middle] <= index) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? index : index + removed[low - 1];
}

/**
 * The original span of the lightened text's [start, end). A digit made one unit ends where the pair
 * it came from ends; after the cut, the end is taken past the last character itself, so invisible
 * characters after a match stay out of it.
 */
function originalSpan(light: LightText, start: number, end: number): [number, number] {
  let from = start;
  let to = end;
  if (light.shrunk) {
    from = unshift(light.shrunk, start);
    to = unshift(light.shrunk, end);
  }
  return [unshift(light.cut, from), unshift(light.cut, to - 1) + 1];
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
