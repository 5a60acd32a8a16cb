import { confusableLatin } from './confusables';
import { traditionalToSimplifiedMap } from './traditional-simplified';

/**
 * Per-code-point folding: what one character of the input becomes in the normalized text, and which
 * folds it went through (so a finding can say why it matched). Computed once into lookup tables so
 * the normalizer's hot loop is a single array read per character.
 */

/** The fold of a character that is dropped from the normalized text (punctuation, emoji, junk). */
export const SKIP = 0;

/** Which folds changed a character: bits of the flag tables. */
export const FOLD_CASE = 1;
/** Full-width, enclosed, mathematical and accented letters (Ａ, Ⓐ, 𝐀, é → a). */
export const FOLD_LETTER_STYLE = 2;
/** Full-width, circled, parenthesised and full-stop digits, Chinese numerals (１, ①, ⑴, ⒈, 一, 壹 → 1). */
export const FOLD_DIGIT_STYLE = 4;
/** Cyrillic, Greek and other letters that look Latin (Cyrillic О → o). */
export const FOLD_CONFUSABLE = 8;
/** Traditional → simplified Chinese. */
export const FOLD_TRADITIONAL = 16;

/**
 * Which fold set a table implements. `extended` (the default) adds the second round of folds: Chinese
 * numerals and the other digit styles, Unicode look-alikes. `basic` is the engine as it was before
 * them, kept so the bench can show what they cost.
 */
export type FoldSet = 'extended' | 'basic';

/**
 * Chinese numerals read digit by digit (how phone numbers and "第一" are written): lower-case,
 * financial (大写) and the spoken 幺 (1) and 两 (2). 十, 百, 千 are positional, not digits, and stay.
 * 參 is left out: as 参 it is the ordinary character of 参加, not 叁.
 */
export const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  〇: 0,
  零: 0,
  一: 1,
  壹: 1,
  弌: 1,
  幺: 1,
  二: 2,
  贰: 2,
  貳: 2,
  弍: 2,
  两: 2,
  兩: 2,
  三: 3,
  叁: 3,
  叄: 3,
  弎: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  陸: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
/** What parenthesised (⑴, ⒜) and full-stop (⒈) forms add around their letter or digit. */
const ENCLOSING = /[().\s]/g;
const MARKS = /\p{M}/gu;
const ASCII_DIGIT = /^[0-9]$/;
/** Planes 0–3 hold every letter and digit; 4–16 are unassigned, tags, variation selectors, private use. */
const LAST_TEXT_PLANE = 3;
const UNKNOWN = -1;

const digitCodes = new Map<number, number>(
  Object.entries(CHINESE_DIGITS).map(([char, digit]) => [char.codePointAt(0) as number, 0x30 + digit]),
);

export interface Fold {
  /** The folded code point, or SKIP. */
  code: number;
  /** FOLD_* bits of what changed it. */
  flags: number;
}

/**
 * Letters and digits survive; everything else (punctuation, symbols, emoji, spaces, controls, format
 * characters such as U+200B or U+FEFF, combining marks, variation selectors) is skippable, because
 * people put exactly those between the characters of a word to slip past a filter.
 *
 * A character folds, in this order: Chinese numeral → ASCII digit (extended); compatibility
 * decomposition with its marks stripped, kept when it leaves one letter or digit (Ａ → A, ① → 1,
 * ⑴ → 1, ⒈ → 1, ㊙ → 秘, 𝐟 → f, é → e; ⑩ leaves two and stays as it is); a Latin look-alike → its
 * Latin letter (extended, before lower case, as Cyrillic В looks like B but в does not look like b);
 * lower case; traditional → simplified. A compatibility form of a symbol can become a letter (Ⓐ → A),
 * so decomposition comes before the letter test.
 */
export function computeFold(codePoint: number, set: FoldSet = 'extended'): Fold {
  const extended = set === 'extended';
  const numeral = extended ? digitCodes.get(codePoint) : undefined;
  if (numeral !== undefined) return { code: numeral, flags: FOLD_DIGIT_STYLE };
  const char = String.fromCodePoint(codePoint);
  let folded = char;
  let flags = 0;
  const base = char.normalize('NFKD').replace(MARKS, '');
  const core = extended ? base.replace(ENCLOSING, '') : base;
  if (core !== char && LETTER_OR_DIGIT.test(core)) {
    folded = core;
    flags |= ASCII_DIGIT.test(folded) ? FOLD_DIGIT_STYLE : FOLD_LETTER_STYLE;
  } else if (!LETTER_OR_DIGIT.test(char)) {
    return { code: SKIP, flags: 0 };
  }
  if (extended) {
    const latin = confusableLatin(folded.codePointAt(0) as number);
    if (latin !== undefined) {
      folded = String.fromCodePoint(latin);
      flags |= FOLD_CONFUSABLE;
    }
  }
  const lower = folded.toLowerCase();
  if (lower !== folded && LETTER_OR_DIGIT.test(lower)) {
    folded = lower;
    // Case alone is reported only for characters that were not restyled already.
    if (flags === 0) flags |= FOLD_CASE;
  }
  const result = folded.codePointAt(0) as number;
  const simplified = traditionalToSimplifiedMap().get(result);
  if (simplified === undefined) return { code: result, flags };
  return { code: simplified, flags: flags | FOLD_TRADITIONAL };
}

export interface FoldTable {
  set: FoldSet;
  /** The fold of every BMP code unit (SKIP for surrogates, which the normalizer pairs up itself). */
  bmp: Uint16Array;
  /** FOLD_* bits per BMP code unit. */
  flags: Uint8Array;
  /** Supplementary planes, filled per code point on first sight (code, or UNKNOWN). */
  astral: (Int32Array | undefined)[];
  astralFlags: (Uint8Array | undefined)[];
}

const tables: Partial<Record<FoldSet, FoldTable>> = {};

/**
 * The fold table of a fold set. Built on first use (~60 ms) rather than at import, so merely loading
 * the module costs nothing.
 */
export function foldTable(set: FoldSet = 'extended'): FoldTable {
  const existing = tables[set];
  if (existing) return existing;
  const bmp = new Uint16Array(0x10000);
  const flags = new Uint8Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit += 1) {
    if (unit >= 0xd800 && unit <= 0xdfff) continue;
    const fold = computeFold(unit, set);
    // A BMP character folding outside the BMP (a few rare traditional characters) keeps itself.
    if (fold.code > 0xffff) {
      bmp[unit] = unit;
    } else {
      bmp[unit] = fold.code;
      flags[unit] = fold.flags;
    }
  }
  const table: FoldTable = { set, bmp, flags, astral: [], astralFlags: [] };
  tables[set] = table;
  return table;
}

/** The BMP part of the default table (kept for callers that only need the codes). */
export function bmpFoldTable(): Uint16Array {
  return foldTable().bmp;
}

/**
 * The fold of a supplementary-plane code point. Filled per code point on first sight: a post has a few
 * distinct emoji, so computing a whole plane up front would waste time on the first request.
 */
export function foldAstral(codePoint: number, table: FoldTable = foldTable()): number {
  const plane = codePoint >>> 16;
  if (plane > LAST_TEXT_PLANE) return SKIP;
  let codes = table.astral[plane];
  let flags = table.astralFlags[plane] as Uint8Array;
  if (!codes) {
    codes = new Int32Array(0x10000).fill(UNKNOWN);
    flags = new Uint8Array(0x10000);
    table.astral[plane] = codes;
    table.astralFlags[plane] = flags;
  }
  const index = codePoint & 0xffff;
  let folded = codes[index];
  if (folded === UNKNOWN) {
    const fold = computeFold(codePoint, table.set);
    folded = fold.code;
    codes[index] = folded;
    flags[index] = fold.flags;
  }
  return folded;
}

/** The FOLD_* bits of any code point (BMP or not), for explaining a finding. */
export function foldFlags(codePoint: number, table: FoldTable = foldTable()): number {
  if (codePoint < 0x10000) return table.flags[codePoint];
  foldAstral(codePoint, table);
  return table.astralFlags[codePoint >>> 16]?.[codePoint & 0xffff] ?? 0;
}

/** Lower-case ASCII letters and digits: the characters that make up Latin words and numbers. */
export function isAsciiWordCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}

export function isAsciiDigitCode(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Whether an original character is a Chinese numeral (so a digit it folds to is not a Latin word). */
export function isChineseDigit(codePoint: number): boolean {
  return digitCodes.has(codePoint);
}
