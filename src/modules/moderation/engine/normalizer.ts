import { foldAstral, FoldTable, foldTable, SKIP } from './char-fold';

/**
 * Text as the matcher sees it: letters and digits only, folded (case, width, compatibility forms,
 * digit styles and Chinese numerals, Latin look-alikes, traditional → simplified), with runs of one character collapsed into one. Every normalized
 * character remembers where it came from, so a match can be reported against the original text.
 *
 * Parallel typed arrays rather than an array of objects: the engine normalizes into one reused
 * instance, so scanning allocates nothing per character.
 */
export class NormalizedText {
  /** Folded code points. */
  codes: Int32Array;
  /** UTF-16 offset in the original text where the character's first occurrence starts. */
  starts: Int32Array;
  /** UTF-16 offset in the original text where its last collapsed repetition ends. */
  ends: Int32Array;
  /** How many times the character repeated in the original (saturating), before collapsing. */
  runs: Uint16Array;
  /** 1 when skipped characters (space, punctuation, junk) stood between it and the previous one. */
  gaps: Uint8Array;
  length = 0;

  constructor(capacity = 64) {
    this.allocate(Math.max(1, capacity));
  }

  get capacity(): number {
    return this.codes.length;
  }

  /** Makes room for `capacity` characters; existing content is not kept. */
  reserve(capacity: number): void {
    if (capacity > this.codes.length) this.allocate(Math.max(capacity, this.codes.length * 2));
  }

  /** The normalized characters as a string (for keys, tests and debugging). */
  toString(): string {
    let out = '';
    for (let i = 0; i < this.length; i += 1) out += String.fromCodePoint(this.codes[i]);
    return out;
  }

  /** The folded code points and their run counts, detached from this (reusable) buffer. */
  snapshot(): { codes: Int32Array; runs: Uint16Array } {
    return { codes: this.codes.slice(0, this.length), runs: this.runs.slice(0, this.length) };
  }

  private allocate(capacity: number): void {
    this.codes = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.runs = new Uint16Array(capacity);
    this.gaps = new Uint8Array(capacity);
  }
}

const MAX_RUN = 0xffff;

/**
 * Normalizes `text` into `out` (grown if needed) and returns it. Lexicon terms and scanned text go
 * through this same function, which is what makes the collapsing of repeated characters safe: 谢谢
 * is stored as 谢 with a run of 2, and the engine checks the text's run counts on a match.
 */
export function normalizeInto(
  text: string,
  out: NormalizedText,
  folds: FoldTable = foldTable(),
): NormalizedText {
  const table = folds.bmp;
  const size = text.length;
  out.reserve(size);
  const { codes, starts, ends, runs, gaps } = out;
  let length = 0;
  let gap = 0;
  for (let i = 0; i < size; i += 1) {
    const start = i;
    let unit = text.charCodeAt(i);
    let folded: number;
    if ((unit & 0xf800) !== 0xd800) {
      folded = table[unit];
    } else {
      const low = unit <= 0xdbff && i + 1 < size ? text.charCodeAt(i + 1) : 0;
      if ((low & 0xfc00) === 0xdc00) {
        unit = ((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        folded = foldAstral(unit, folds);
        i += 1;
      } else {
        // A lone surrogate is garbage, never part of a word.
        folded = SKIP;
      }
    }
    if (folded === SKIP) {
      gap = 1;
      continue;
    }
    if (length > 0 && codes[length - 1] === folded) {
      // A repetition (possibly with junk between: 最 最 最佳) extends the previous character.
      ends[length - 1] = i + 1;
      if (runs[length - 1] < MAX_RUN) runs[length - 1] += 1;
    } else {
      codes[length] = folded;
      starts[length] = start;
      ends[length] = i + 1;
      runs[length] = 1;
      gaps[length] = gap;
      length += 1;
    }
    gap = 0;
  }
  out.length = length;
  return out;
}

/** Normalizes into a fresh buffer: for lexicon terms and tests, not for the scanning hot path. */
export function normalize(text: string, folds: FoldTable = foldTable()): NormalizedText {
  return normalizeInto(text, new NormalizedText(text.length), folds);
}

/** The normalized form of `text` as a string, e.g. `normalizedString('最 最佳！！') === '最佳'`. */
export function normalizedString(text: string): string {
  return normalize(text).toString();
}
