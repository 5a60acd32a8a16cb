import { traditionalToSimplifiedMap } from './traditional-simplified';

/**
 * Per-code-point folding: what one character of the input becomes in the normalized text. Computed once
 * into lookup tables so the normalizer's hot loop is a single array read per character.
 */

/** The fold of a character that is dropped from the normalized text (punctuation, emoji, junk). */
export const SKIP = 0;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARKS = /\p{M}/gu;
/** Planes 0–3 hold every letter and digit; 4–16 are unassigned, tags, variation selectors, private use. */
const LAST_TEXT_PLANE = 3;
const UNKNOWN = -1;

let simplified: Map<number, number> | undefined;
let bmp: Uint16Array | undefined;
const astralPlanes: (Int32Array | undefined)[] = [];

/**
 * Letters and digits survive; everything else (punctuation, symbols, emoji, spaces, controls, format
 * characters such as U+200B or U+FEFF, combining marks, variation selectors) is skippable, because
 * people put exactly those between the characters of a word to slip past a filter.
 *
 * A letter folds through compatibility decomposition with its marks stripped (full-width Ａ → A,
 * ① → 1, ㊙ → 秘, 𝐟 → f, é → e), then lower case, then traditional → simplified. A compatibility
 * form of a symbol can become a letter (Ⓐ → A), so decomposition comes before the letter test.
 */
export function computeFold(codePoint: number): number {
  simplified ??= traditionalToSimplifiedMap();
  const char = String.fromCodePoint(codePoint);
  let folded = char;
  const base = char.normalize('NFKD').replace(MARKS, '');
  if (LETTER_OR_DIGIT.test(base)) folded = base;
  else if (!LETTER_OR_DIGIT.test(char)) return SKIP;
  const lower = folded.toLowerCase();
  if (LETTER_OR_DIGIT.test(lower)) folded = lower;
  const result = folded.codePointAt(0) as number;
  return simplified.get(result) ?? result;
}

/**
 * The fold of every BMP code unit (SKIP for surrogates, which the normalizer pairs up itself). Built on
 * first use (~40 ms) rather than at import, so merely loading the module costs nothing.
 */
export function bmpFoldTable(): Uint16Array {
  if (bmp) return bmp;
  const table = new Uint16Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit += 1) {
    if (unit >= 0xd800 && unit <= 0xdfff) continue;
    const folded = computeFold(unit);
    // A BMP character never folds outside the BMP today; keep it as it is if Unicode ever says so.
    table[unit] = folded > 0xffff ? unit : folded;
  }
  bmp = table;
  return table;
}

/**
 * The fold of a supplementary-plane code point. Filled per code point on first sight: a post has a few
 * distinct emoji, so computing a whole plane up front would waste time on the first request.
 */
export function foldAstral(codePoint: number): number {
  const plane = codePoint >>> 16;
  if (plane > LAST_TEXT_PLANE) return SKIP;
  let table = astralPlanes[plane];
  if (!table) {
    table = new Int32Array(0x10000).fill(UNKNOWN);
    astralPlanes[plane] = table;
  }
  const index = codePoint & 0xffff;
  let folded = table[index];
  if (folded === UNKNOWN) {
    folded = computeFold(codePoint);
    table[index] = folded;
  }
  return folded;
}

/** Lower-case ASCII letters and digits: the characters that make up Latin words and numbers. */
export function isAsciiWordCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}
