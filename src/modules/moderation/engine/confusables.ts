/**
 * Letters of other scripts that look like Latin letters, folded to the Latin letter they imitate, so a
 * term written in Latin letters (NO.1, TOP1, SB, fuck) also catches НО.1 with a Cyrillic Н and О.
 *
 * Why a small table and not the whole of UTS #39: no maintained package with Unicode's
 * confusables.txt is installed, and the full skeleton mapping also folds Latin letters into each other
 * (rn → m, l → I, 0 → O), which would merge ordinary Latin words and digits. Compatibility forms
 * (full-width, enclosed, mathematical letters) are already folded by NFKD in `char-fold.ts`, so what
 * is left are the homoglyphs of other scripts. This table holds the prototypes confusables.txt gives
 * for the Cyrillic, Greek, Armenian and small-capital Latin letters whose glyph is a Latin letter in
 * ordinary fonts, in both cases where both cases look Latin (Cyrillic В looks like B, but в does not
 * look like b, so only В is here). Case matters: the fold runs before lower-casing.
 */
const TABLE: readonly (readonly [string, string])[] = [
  // Cyrillic capitals.
  ['А', 'A'], // U+0410
  ['В', 'B'], // U+0412
  ['Е', 'E'], // U+0415
  ['Ѕ', 'S'], // U+0405
  ['І', 'I'], // U+0406
  ['Ј', 'J'], // U+0408
  ['К', 'K'], // U+041A
  ['М', 'M'], // U+041C
  ['Н', 'H'], // U+041D
  ['О', 'O'], // U+041E
  ['Р', 'P'], // U+0420
  ['С', 'C'], // U+0421
  ['Т', 'T'], // U+0422
  ['У', 'Y'], // U+0423
  ['Х', 'X'], // U+0425
  ['Ү', 'Y'], // U+04AE
  ['Һ', 'H'], // U+04BA
  ['Ӏ', 'I'], // U+04C0 palochka
  ['Ԛ', 'Q'], // U+051A
  ['Ԝ', 'W'], // U+051C
  // Cyrillic small letters.
  ['а', 'a'], // U+0430
  ['е', 'e'], // U+0435
  ['о', 'o'], // U+043E
  ['р', 'p'], // U+0440
  ['с', 'c'], // U+0441
  ['у', 'y'], // U+0443
  ['х', 'x'], // U+0445
  ['ѕ', 's'], // U+0455
  ['і', 'i'], // U+0456
  ['ј', 'j'], // U+0458
  ['һ', 'h'], // U+04BB
  ['ԁ', 'd'], // U+0501
  ['ԛ', 'q'], // U+051B
  ['ԝ', 'w'], // U+051D
  ['ӏ', 'l'], // U+04CF
  // Greek capitals.
  ['Α', 'A'], // U+0391
  ['Β', 'B'], // U+0392
  ['Ε', 'E'], // U+0395
  ['Ζ', 'Z'], // U+0396
  ['Η', 'H'], // U+0397
  ['Ι', 'I'], // U+0399
  ['Κ', 'K'], // U+039A
  ['Μ', 'M'], // U+039C
  ['Ν', 'N'], // U+039D
  ['Ο', 'O'], // U+039F
  ['Ρ', 'P'], // U+03A1
  ['Τ', 'T'], // U+03A4
  ['Υ', 'Y'], // U+03A5
  ['Χ', 'X'], // U+03A7
  // Greek small letters.
  ['ο', 'o'], // U+03BF
  ['ν', 'v'], // U+03BD
  ['ρ', 'p'], // U+03C1
  ['ι', 'i'], // U+03B9
  ['α', 'a'], // U+03B1
  ['υ', 'u'], // U+03C5
  ['κ', 'k'], // U+03BA
  ['χ', 'x'], // U+03C7
  // Armenian.
  ['Տ', 'S'], // U+054F
  ['Ս', 'U'], // U+054D
  ['Օ', 'O'], // U+0555
  ['օ', 'o'], // U+0585
  ['ս', 'u'], // U+057D
  ['ո', 'n'], // U+0578
  ['հ', 'h'], // U+0570
  ['զ', 'q'], // U+0566
  // Latin letters of other shapes that read as a basic letter: dotless i, script a and g, small caps.
  ['ı', 'i'], // U+0131
  ['ɑ', 'a'], // U+0251
  ['ɡ', 'g'], // U+0261
  ['ᴀ', 'a'], // U+1D00
  ['ʙ', 'b'], // U+0299
  ['ᴄ', 'c'], // U+1D04
  ['ᴅ', 'd'], // U+1D05
  ['ᴇ', 'e'], // U+1D07
  ['ɢ', 'g'], // U+0262
  ['ʜ', 'h'], // U+029C
  ['ɪ', 'i'], // U+026A
  ['ᴊ', 'j'], // U+1D0A
  ['ᴋ', 'k'], // U+1D0B
  ['ʟ', 'l'], // U+029F
  ['ᴍ', 'm'], // U+1D0D
  ['ɴ', 'n'], // U+0274
  ['ᴏ', 'o'], // U+1D0F
  ['ᴘ', 'p'], // U+1D18
  ['ʀ', 'r'], // U+0280
  ['ꜱ', 's'], // U+A731
  ['ᴛ', 't'], // U+1D1B
  ['ᴜ', 'u'], // U+1D1C
  ['ᴠ', 'v'], // U+1D20
  ['ᴡ', 'w'], // U+1D21
  ['ʏ', 'y'], // U+028F
  ['ᴢ', 'z'], // U+1D22
];

const MAP = new Map<number, number>(
  TABLE.map(([from, to]) => [from.codePointAt(0) as number, to.codePointAt(0) as number]),
);

/** The Latin letter `codePoint` imitates, or undefined. */
export function confusableLatin(codePoint: number): number | undefined {
  return MAP.get(codePoint);
}

/** The table, for tests and docs. */
export const CONFUSABLE_PAIRS: readonly (readonly [string, string])[] = TABLE;
