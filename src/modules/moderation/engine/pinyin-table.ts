import { pinyin, polyphonic } from 'pinyin-pro';

/**
 * Readings of characters as tone-less pinyin syllables, from pinyin-pro, turned once per process into
 * lookup tables: syllables are small integers, each folded character has a list of them (every
 * reading of a polyphonic character), and Latin letters are read back into syllables through a small
 * trie. Scanning never calls pinyin-pro: it reads these arrays.
 */

/** Syllables are numbered from 1; 0 means "no syllable". */
export interface PinyinTable {
  /** Syllable id → its letters (`zui`); index 0 unused. ü is written `v`, as pinyin keyboards do. */
  syllables: readonly string[];
  /** Folded code point (BMP) → first index in `readings`; `readingStart[c + 1]` ends the list. */
  readingStart: Int32Array;
  readings: Uint16Array;
  /** Trie over a–z: `letterNext[node * 26 + letter]` → child node (0 = none). */
  letterNext: Int32Array;
  /** Syllable ending at a trie node, or 0. */
  letterSyllable: Uint16Array;
  /** Milliseconds it took to build (reported by the bench). */
  buildMs: number;
}

/** CJK Unified Ideographs: what pinyin-pro knows. Extension A and beyond have almost no readings. */
const HAN_FIRST = 0x4e00;
const HAN_LAST = 0x9fff;
/** Readings of the digits a numeral folds to: 一 is yi (and 幺 yao), 二 er (and 两 liang). */
const DIGIT_READINGS: readonly (readonly string[])[] = [
  ['ling'],
  ['yi', 'yao'],
  ['er', 'liang'],
  ['san'],
  ['si'],
  ['wu'],
  ['liu'],
  ['qi'],
  ['ba'],
  ['jiu'],
];
/** The reading a term means by a numeral that is not the digit's first reading. */
const NUMERAL_READING: Readonly<Record<string, string>> = { 幺: 'yao', 两: 'liang', 兩: 'liang' };
const LETTERS = /^[a-z]+$/;

let table: PinyinTable | undefined;

export function pinyinTable(): PinyinTable {
  if (table) return table;
  const started = performance.now();
  const ids = new Map<string, number>();
  const syllables: string[] = [''];
  const idOf = (syllable: string): number => {
    let id = ids.get(syllable);
    if (id === undefined) {
      id = syllables.length;
      syllables.push(syllable);
      ids.set(syllable, id);
    }
    return id;
  };

  let han = '';
  for (let code = HAN_FIRST; code <= HAN_LAST; code += 1) han += String.fromCharCode(code);
  // One call over the whole block: pinyin-pro answers every reading of every character at once.
  const perChar = polyphonic(han, { type: 'array', toneType: 'none', v: true });
  const lists = new Map<number, number[]>();
  perChar.forEach((readings, index) => {
    const valid = readings.filter((reading) => LETTERS.test(reading));
    if (valid.length > 0) lists.set(HAN_FIRST + index, [...new Set(valid)].map(idOf));
  });
  DIGIT_READINGS.forEach((readings, digit) => lists.set(0x30 + digit, readings.map(idOf)));

  const readingStart = new Int32Array(0x10001);
  let total = 0;
  for (const list of lists.values()) total += list.length;
  const readings = new Uint16Array(total);
  let at = 0;
  for (let code = 0; code < 0x10000; code += 1) {
    readingStart[code] = at;
    const list = lists.get(code);
    if (list) for (const id of list) readings[at++] = id;
  }
  readingStart[0x10000] = at;

  // The letters of every syllable, as a trie walked by the scanner over Latin text.
  const letterNext: number[] = new Array<number>(26).fill(0);
  const letterSyllable: number[] = [0];
  for (let id = 1; id < syllables.length; id += 1) {
    let node = 0;
    for (const char of syllables[id]) {
      const slot = node * 26 + (char.charCodeAt(0) - 0x61);
      if (letterNext[slot] === 0) {
        letterNext[slot] = letterSyllable.length;
        letterSyllable.push(0);
        for (let k = 0; k < 26; k += 1) letterNext.push(0);
      }
      node = letterNext[slot];
    }
    letterSyllable[node] = id;
  }

  table = {
    syllables,
    readingStart,
    readings,
    letterNext: Int32Array.from(letterNext),
    letterSyllable: Uint16Array.from(letterSyllable),
    buildMs: performance.now() - started,
  };
  return table;
}

/** Whether a folded code point has a reading (a Chinese character pinyin-pro knows, or a digit). */
export function hasReading(pinyinData: PinyinTable, code: number): boolean {
  return code < 0x10000 && pinyinData.readingStart[code + 1] > pinyinData.readingStart[code];
}

/**
 * The syllables of a term, one per normalized character, or null when a character has no reading (a
 * Latin letter, a rare character): such a term has no pinyin form. `codes` are the term's folded
 * characters, `starts` where in `term` each came from. A polyphonic character is read as
 * pinyin-pro reads the whole term (行 in 银行 is hang), otherwise by its first reading; a digit by the
 * numeral it was written with (幺 → yao).
 */
export function termSyllables(
  pinyinData: PinyinTable,
  codes: Int32Array,
  term: string,
  starts: Int32Array,
): Int32Array | null {
  const { readingStart, readings, syllables } = pinyinData;
  const result = new Int32Array(codes.length);
  let polyphonicChar = false;
  for (let k = 0; k < codes.length; k += 1) {
    const code = codes[k];
    if (!hasReading(pinyinData, code)) return null;
    const numeral =
      code < 0x80 ? NUMERAL_READING[String.fromCodePoint(term.codePointAt(starts[k]) as number)] : undefined;
    result[k] = numeral ? syllables.indexOf(numeral) : readings[readingStart[code]];
    if (readingStart[code + 1] - readingStart[code] > 1 && code > 0x7f && !numeral) polyphonicChar = true;
  }
  if (polyphonicChar) {
    const text = Array.from(codes, (code) => String.fromCodePoint(code)).join('');
    const contextual = pinyin(text, { type: 'array', toneType: 'none', v: true });
    if (contextual.length === codes.length) {
      contextual.forEach((reading, k) => {
        const code = codes[k];
        if (code <= 0x7f) return;
        for (let r = readingStart[code]; r < readingStart[code + 1]; r += 1) {
          if (syllables[readings[r]] === reading) result[k] = readings[r];
        }
      });
    }
  }
  return result;
}
