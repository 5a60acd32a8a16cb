import { AhoCorasick, ShallowStepper } from './automaton';
import { NormalizedText } from './normalizer';
import { PinyinTable } from './pinyin-table';

/**
 * Finds terms by sound: text whose tone-less pinyin equals a term's (醉佳 for 最佳: homophones), and
 * terms written out in pinyin, whole or in part (zuijia, zui jia, zuì jiā, zui4 jia1, 加weixin).
 *
 * The normalized text is read as a lattice of syllables. A Chinese character (or digit) is one unit
 * with an edge per reading, so a polyphonic character matches by any of its readings; Latin letters
 * are units too, and every syllable their letters spell is an edge over them (an optional tone digit
 * after it included). An Aho–Corasick automaton over syllable ids, built from the terms' syllables at
 * build time, is driven over the lattice with a small set of states per node (one per distinct path
 * state; most text has one reading per character, so the set mostly holds one state). A match is then
 * traced back over the lattice to find where it starts and whether it went through Latin letters.
 */

/** How a match went: the units where each syllable started, and whether it was spelled in letters. */
export interface PhoneticPath {
  /** Unit where syllable k of the pattern starts. */
  unitOf: Int32Array;
  /** 1 when syllable k was spelled in Latin letters. */
  latin: Uint8Array;
}

export interface PhoneticSink {
  /** A match of `pattern` over units [startUnit, endUnit); the path is valid during the call only. */
  hit(pattern: number, startUnit: number, endUnit: number, path: PhoneticPath): void;
}

/** States kept per lattice node; more distinct paths than this are dropped (never seen in real text). */
const MAX_STATES = 16;
/** A syllable has at most 6 letters (zhuang), plus a tone digit: an edge spans at most 7 units. */
const RING = 8;
const RING_MASK = RING - 1;
/** Letters of one normalized character (a collapsed run, `nn` in anning) expand to at most this many units. */
const MAX_LETTER_REPEAT = 3;
const ROOT = 0;
const A = 0x61;
const Z = 0x7a;

const isLetter = (code: number): boolean => code >= A && code <= Z;
const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
/** Pinyin tone numbers (0 or 5 for the neutral tone). */
const isTone = (code: number): boolean => code >= 0x30 && code <= 0x35;

export class PhoneticMatcher {
  /** Units of the current scan: the normalized index and the code of each. */
  private unitNorm = new Int32Array(1024);
  private unitCode = new Int32Array(1024);
  /** 1 when a unit starts a Latin word (after a gap or a non-Latin unit). */
  private unitWordStart = new Uint8Array(1024);
  private unitCount = 0;
  private readonly ring = new Int32Array(RING * MAX_STATES);
  private readonly ringSize = new Int32Array(RING);
  private readonly path: PhoneticPath;
  private readonly stepper: ShallowStepper;
  /**
   * Per folded BMP character, the automaton symbols of its readings (`charSymbols[charSymbolStart[c]
   * .. charSymbolStart[c + 1]]`), leaving out readings no pattern contains: reading one of those puts
   * every state back to the root, which adds nothing to the lattice.
   */
  private readonly charSymbolStart: Int32Array;
  private readonly charSymbols: Int32Array;
  /** Syllable id → automaton symbol (0: in no pattern). */
  private readonly syllableSymbol: Int32Array;

  constructor(
    readonly automaton: AhoCorasick,
    /** The syllables of each pattern. */
    private readonly patterns: readonly Int32Array[],
    private readonly table: PinyinTable,
  ) {
    const longest = patterns.reduce((max, pattern) => Math.max(max, pattern.length), 0);
    this.path = { unitOf: new Int32Array(longest), latin: new Uint8Array(longest) };
    this.stepper = automaton.shallowStepper();
    this.syllableSymbol = Int32Array.from(table.syllables, (_, id) => automaton.symbolOf(id));
    const { readingStart, readings } = table;
    this.charSymbolStart = new Int32Array(0x10001);
    const symbols: number[] = [];
    for (let code = 0; code < 0x10000; code += 1) {
      this.charSymbolStart[code] = symbols.length;
      for (let r = readingStart[code]; r < readingStart[code + 1]; r += 1) {
        const symbol = this.syllableSymbol[readings[r]];
        if (symbol !== 0) symbols.push(symbol);
      }
    }
    this.charSymbolStart[0x10000] = symbols.length;
    this.charSymbols = Int32Array.from(symbols);
  }

  /** Bytes of the matcher's own tables (the automaton's are counted apart). */
  get byteSize(): number {
    return (
      this.stepper.byteSize +
      this.charSymbolStart.byteLength +
      this.charSymbols.byteLength +
      this.syllableSymbol.byteLength
    );
  }

  /** The normalized character a unit came from. */
  normalizedIndex(unit: number): number {
    return this.unitNorm[unit];
  }

  /** The folded code of a unit (a letter of a Latin run, or the character). */
  unitCodeAt(unit: number): number {
    return this.unitCode[unit];
  }

  scan(normalized: NormalizedText, sink: PhoneticSink): void {
    this.buildUnits(normalized);
    const { ring, ringSize, unitCode, unitWordStart, charSymbolStart, charSymbols, syllableSymbol } = this;
    const { letterNext, letterSyllable } = this.table;
    const units = this.unitCount;
    ringSize.fill(0);
    for (let x = 0; x < units; x += 1) {
      const slot = x & RING_MASK;
      if (ringSize[slot] === 0) {
        ring[slot * MAX_STATES] = ROOT;
        ringSize[slot] = 1;
      }
      const code = unitCode[x];
      if (isLetter(code)) {
        let node = 0;
        for (let length = 1; length <= 6 && x + length <= units; length += 1) {
          const letter = unitCode[x + length - 1];
          if (!isLetter(letter) || (length > 1 && unitWordStart[x + length - 1] === 1)) break;
          node = letterNext[node * 26 + letter - A];
          if (node === 0) break;
          const symbol = syllableSymbol[letterSyllable[node]];
          if (symbol === 0) continue;
          this.edge(x, x + length, symbol, sink);
          const after = x + length;
          if (after < units && isTone(unitCode[after]) && unitWordStart[after] === 0) {
            this.edge(x, after + 1, symbol, sink);
          }
        }
      } else if (code < 0x10000) {
        for (let r = charSymbolStart[code], end = charSymbolStart[code + 1]; r < end; r += 1) {
          this.edge(x, x + 1, charSymbols[r], sink);
        }
      }
      ringSize[slot] = 0;
    }
  }

  /** Steps every state of node `from` over `symbol` into node `to`, reporting new output states. */
  private edge(from: number, to: number, symbol: number, sink: PhoneticSink): void {
    const { automaton, stepper, ring, ringSize } = this;
    const fromBase = (from & RING_MASK) * MAX_STATES;
    const toSlot = to & RING_MASK;
    const toBase = toSlot * MAX_STATES;
    const count = ringSize[from & RING_MASK];
    for (let k = 0; k < count; k += 1) {
      const state = stepper.step(ring[fromBase + k], symbol);
      if (state === ROOT) continue;
      const size = ringSize[toSlot];
      let known = false;
      for (let j = 0; j < size; j += 1) {
        if (ring[toBase + j] === state) {
          known = true;
          break;
        }
      }
      if (known || size === MAX_STATES) continue;
      ring[toBase + size] = state;
      ringSize[toSlot] = size + 1;
      for (let out = automaton.firstOutputOf(state); out !== -1; out = automaton.nextOutputOf(out)) {
        this.report(automaton.patternEndingAt(out), to, sink);
      }
    }
  }

  /**
   * The straightforward reading of the lattice, without the automaton: every pattern traced back
   * from every node. Quadratic, for tests only: it is the reference `scan` is checked against.
   */
  scanByTracing(normalized: NormalizedText, sink: PhoneticSink): void {
    this.buildUnits(normalized);
    for (let end = 1; end <= this.unitCount; end += 1) {
      for (let pattern = 0; pattern < this.patterns.length; pattern += 1) this.report(pattern, end, sink);
    }
  }

  /** Traces a match of `pattern` ending at node `end` back to its start and reports it. */
  private report(pattern: number, end: number, sink: PhoneticSink): void {
    const syllables = this.patterns[pattern];
    const start = this.trace(syllables, syllables.length - 1, end);
    if (start < 0) return;
    // A match inside a Latin word must line up with a reading of the whole word as pinyin: "tema" in
    // "systematic" is not 特码, but "woxiang jiaweixin" is 我想加微信.
    if (isLetter(this.unitCode[start]) && !this.segmentable(this.wordStartOf(start), start)) return;
    const last = end - 1;
    if (
      (isLetter(this.unitCode[last]) || isDigit(this.unitCode[last])) &&
      !this.segmentable(end, this.wordEndOf(last))
    )
      return;
    sink.hit(pattern, start, end, this.path);
  }

  /**
   * The node where syllables[0..k] end at `node` start, following any path of the lattice, or -1.
   * Fills `path` on the way. Depth-first: matches are rare, and paths are short.
   */
  private trace(syllables: Int32Array, k: number, node: number): number {
    if (k < 0) return node;
    const wanted = syllables[k];
    const { unitCode, table } = this;
    const unit = node - 1;
    if (unit < 0) return -1;
    const code = unitCode[unit];
    if (!isLetter(code) && code < 0x10000) {
      for (let r = table.readingStart[code]; r < table.readingStart[code + 1]; r += 1) {
        if (table.readings[r] !== wanted) continue;
        this.path.unitOf[k] = unit;
        this.path.latin[k] = 0;
        const start = this.trace(syllables, k - 1, unit);
        if (start >= 0) return start;
        break;
      }
    }
    // Spelled in letters, possibly followed by a tone digit.
    const letters = this.table.syllables[wanted];
    for (const toned of [false, true]) {
      let last = unit;
      if (toned) {
        if (!isTone(code) || this.unitWordStart[unit] === 1) continue;
        last = unit - 1;
      }
      const first = last - letters.length + 1;
      if (first < 0) continue;
      let same = true;
      for (let i = 0; i < letters.length && same; i += 1) {
        same =
          unitCode[first + i] === letters.charCodeAt(i) && (i === 0 || this.unitWordStart[first + i] === 0);
      }
      if (!same) continue;
      this.path.unitOf[k] = first;
      this.path.latin[k] = 1;
      const start = this.trace(syllables, k - 1, first);
      if (start >= 0) return start;
    }
    return -1;
  }

  /** Whether units [from, to) of one Latin word read as a sequence of syllables (tones and digits included). */
  private segmentable(from: number, to: number): boolean {
    if (from >= to) return true;
    const { unitCode, table } = this;
    const reachable = new Uint8Array(to - from + 1);
    reachable[0] = 1;
    for (let x = from; x < to; x += 1) {
      if (reachable[x - from] === 0) continue;
      const code = unitCode[x];
      if (isDigit(code)) {
        reachable[x + 1 - from] = 1;
        continue;
      }
      let node = 0;
      for (let length = 1; length <= 6 && x + length <= to; length += 1) {
        node = table.letterNext[node * 26 + unitCode[x + length - 1] - A];
        if (node === 0 || !isLetter(unitCode[x + length - 1])) break;
        if (table.letterSyllable[node] === 0) continue;
        reachable[x + length - from] = 1;
      }
    }
    return reachable[to - from] === 1;
  }

  private isWordUnit(unit: number): boolean {
    const code = this.unitCode[unit];
    return isLetter(code) || isDigit(code);
  }

  private wordStartOf(unit: number): number {
    let start = unit;
    while (start > 0 && this.unitWordStart[start] === 0 && this.isWordUnit(start - 1)) start -= 1;
    return start;
  }

  /** The node just past the Latin word holding `unit`. */
  private wordEndOf(unit: number): number {
    let end = unit + 1;
    while (end < this.unitCount && this.unitWordStart[end] === 0 && this.isWordUnit(end)) end += 1;
    return end;
  }

  /**
   * One unit per normalized character, except Latin letters and digits: a collapsed run of them (the
   * nn of anning) is given back its letters, as a syllable may end inside it.
   */
  private buildUnits(normalized: NormalizedText): void {
    const { codes, runs, gaps, length } = normalized;
    let capacity = length;
    for (let i = 0; i < length; i += 1) if (runs[i] > 1 && codes[i] < 0x80) capacity += MAX_LETTER_REPEAT;
    if (capacity > this.unitNorm.length) {
      const size = Math.max(capacity, this.unitNorm.length * 2);
      this.unitNorm = new Int32Array(size);
      this.unitCode = new Int32Array(size);
      this.unitWordStart = new Uint8Array(size);
    }
    const { unitNorm, unitCode, unitWordStart } = this;
    let count = 0;
    let previousWord = false;
    for (let i = 0; i < length; i += 1) {
      const code = codes[i];
      const word = isLetter(code) || isDigit(code);
      const repeat = word ? Math.min(runs[i], MAX_LETTER_REPEAT) : 1;
      for (let r = 0; r < repeat; r += 1) {
        unitNorm[count] = i;
        unitCode[count] = code;
        unitWordStart[count] = word && r === 0 && (!previousWord || gaps[i] === 1) ? 1 : 0;
        count += 1;
      }
      previousWord = word;
    }
    this.unitCount = count;
  }
}
