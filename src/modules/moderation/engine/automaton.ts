/**
 * Aho–Corasick over sequences of code points: every occurrence of every pattern in one left-to-right
 * pass, overlapping ones included. Built once per lexicon version, then immutable, so one instance
 * can serve every request.
 *
 * Layout (all typed arrays, ~20 bytes per state, no object per state): states are numbered in
 * breadth-first order, so the children of a state are consecutive states and the trie needs no edge
 * table. `firstChild[s] .. firstChild[s + 1]` are the children of `s`, sorted by `symbol`, the symbol
 * on each state's incoming edge. The root, where most lookups happen, has a dense table instead.
 * Code points are first mapped to dense symbols (0 = in no pattern), which also resets the automaton
 * cheaply on characters no pattern contains.
 */

/** Receives matches; `end` is the index of the pattern's last code point in the scanned sequence. */
export interface MatchSink {
  push(pattern: number, end: number): void;
}

/** A growable list of (pattern, end) pairs, reused across scans. */
export class MatchBuffer implements MatchSink {
  patterns = new Int32Array(64);
  ends = new Int32Array(64);
  length = 0;

  push(pattern: number, end: number): void {
    if (this.length === this.patterns.length) this.grow();
    this.patterns[this.length] = pattern;
    this.ends[this.length] = end;
    this.length += 1;
  }

  clear(): void {
    this.length = 0;
  }

  private grow(): void {
    const patterns = new Int32Array(this.patterns.length * 2);
    patterns.set(this.patterns);
    const ends = new Int32Array(this.ends.length * 2);
    ends.set(this.ends);
    this.patterns = patterns;
    this.ends = ends;
  }
}

const ROOT = 0;
const NONE = -1;
/** Below this many children a linear scan beats a binary search. */
const LINEAR_SCAN_LIMIT = 8;

export class AhoCorasick {
  private constructor(
    /** BMP code point → symbol (0: in no pattern). */
    private readonly bmpSymbols: Int32Array,
    /** Supplementary code point → symbol; rare, so a Map is fine here. */
    private readonly astralSymbols: ReadonlyMap<number, number>,
    /** symbol → child of the root (0: none). */
    private readonly rootNext: Int32Array,
    private readonly firstChild: Int32Array,
    private readonly symbol: Int32Array,
    private readonly fail: Int32Array,
    /** The state itself when a pattern ends here, else the nearest such state on its failure chain. */
    private readonly firstOutput: Int32Array,
    /** For a state where a pattern ends: the next such state on its failure chain. */
    private readonly nextOutput: Int32Array,
    /** Pattern ending at each state, or -1. */
    private readonly patternAt: Int32Array,
    private readonly lengths: Int32Array,
  ) {}

  /**
   * Patterns must be non-empty and distinct (the engine merges equal terms before this point).
   * Build cost is a sort plus linear passes: no Map per state.
   */
  static build(patterns: readonly Int32Array[]): AhoCorasick {
    const alphabet = buildAlphabet(patterns);
    const sequences = patterns.map((pattern, index) => {
      if (pattern.length === 0) throw new Error(`Pattern ${index} is empty`);
      return pattern.map((code) => alphabet.symbolOf(code));
    });
    const trie = buildTrie(sequences);
    const states = trie.symbol.length;

    const rootNext = new Int32Array(alphabet.size + 1);
    for (let child = trie.firstChild[ROOT]; child < trie.firstChild[ROOT + 1]; child += 1) {
      rootNext[trie.symbol[child]] = child;
    }

    const automaton = new AhoCorasick(
      alphabet.bmp,
      alphabet.astral,
      rootNext,
      trie.firstChild,
      trie.symbol,
      new Int32Array(states),
      new Int32Array(states).fill(NONE),
      new Int32Array(states).fill(NONE),
      trie.patternAt,
      Int32Array.from(sequences, (sequence) => sequence.length),
    );
    automaton.linkFailures(trie.parent);
    return automaton;
  }

  get patternCount(): number {
    return this.lengths.length;
  }

  get stateCount(): number {
    return this.symbol.length;
  }

  /** Bytes held by the automaton's arrays (the Map of supplementary symbols counted roughly). */
  get byteSize(): number {
    const arrays = [
      this.bmpSymbols,
      this.rootNext,
      this.firstChild,
      this.symbol,
      this.fail,
      this.firstOutput,
      this.nextOutput,
      this.patternAt,
      this.lengths,
    ];
    return arrays.reduce((sum, array) => sum + array.byteLength, 0) + this.astralSymbols.size * 32;
  }

  patternLength(pattern: number): number {
    return this.lengths[pattern];
  }

  /** Reports every occurrence of every pattern in `codes[0 .. length)` to `sink`, in order of end. */
  scan(codes: Int32Array, length: number, sink: MatchSink): void {
    const { bmpSymbols, astralSymbols, rootNext, firstChild, symbol, fail, firstOutput, nextOutput } = this;
    const patternAt = this.patternAt;
    let state = ROOT;
    for (let i = 0; i < length; i += 1) {
      const code = codes[i];
      const sym = code < 0x10000 ? bmpSymbols[code] : (astralSymbols.get(code) ?? 0);
      if (sym === 0) {
        state = ROOT;
        continue;
      }
      for (;;) {
        if (state === ROOT) {
          state = rootNext[sym];
          break;
        }
        let low = firstChild[state];
        let high = firstChild[state + 1];
        let next = ROOT;
        if (high - low <= LINEAR_SCAN_LIMIT) {
          for (; low < high; low += 1) {
            if (symbol[low] === sym) {
              next = low;
              break;
            }
          }
        } else {
          while (low < high) {
            const middle = (low + high) >>> 1;
            const value = symbol[middle];
            if (value === sym) {
              next = middle;
              break;
            }
            if (value < sym) low = middle + 1;
            else high = middle;
          }
        }
        if (next !== ROOT) {
          state = next;
          break;
        }
        state = fail[state];
      }
      for (let out = firstOutput[state]; out !== NONE; out = nextOutput[out]) sink.push(patternAt[out], i);
    }
  }

  /**
   * One step of the scan loop, for callers that drive the automaton over something other than one
   * sequence (the pinyin matcher walks several readings of a character at once): the state after
   * reading `code` in `state`.
   */
  step(state: number, code: number): number {
    const sym = code < 0x10000 ? this.bmpSymbols[code] : (this.astralSymbols.get(code) ?? 0);
    if (sym === 0) return ROOT;
    const { rootNext, firstChild, symbol, fail } = this;
    for (;;) {
      if (state === ROOT) return rootNext[sym];
      let low = firstChild[state];
      let high = firstChild[state + 1];
      // Children are sorted by symbol: a state of the pinyin automaton often has dozens of them.
      while (low < high) {
        const middle = (low + high) >>> 1;
        const value = symbol[middle];
        if (value === sym) return middle;
        if (value < sym) low = middle + 1;
        else high = middle;
      }
      state = fail[state];
    }
  }

  /** The dense symbol of a code point (0 when no pattern contains it). */
  symbolOf(code: number): number {
    return code < 0x10000 ? this.bmpSymbols[code] : (this.astralSymbols.get(code) ?? 0);
  }

  /**
   * A stepper with complete transition rows for the root and its children, the states a lattice walk
   * sits in almost all the time: from them a step is one array read instead of a search of the
   * children and a walk down the failure chain. Deeper states keep the search. Rows cost
   * (symbols + 1)² × 4 bytes at most (a pinyin automaton has some 400 symbols: under 1 MB).
   */
  shallowStepper(): ShallowStepper {
    const width = this.rootNext.length;
    const rowOf = new Int32Array(this.symbol.length).fill(NONE);
    const shallow = this.firstChild[ROOT + 1];
    const rows = new Int32Array(shallow * width);
    rows.set(this.rootNext, 0);
    rowOf[ROOT] = 0;
    // Children of the root are states 1 .. shallow - 1 (breadth-first numbering); their failure is the root.
    for (let state = 1; state < shallow; state += 1) {
      const base = state * width;
      rowOf[state] = base;
      rows.set(this.rootNext, base);
      for (let child = this.firstChild[state]; child < this.firstChild[state + 1]; child += 1) {
        rows[base + this.symbol[child]] = child;
      }
    }
    const bytes = rows.byteLength + rowOf.byteLength;
    return new ShallowStepper(rowOf, rows, this.firstChild, this.symbol, this.fail, bytes);
  }

  /** The first state on `state`'s output chain where a pattern ends, or -1. */
  firstOutputOf(state: number): number {
    return this.firstOutput[state];
  }

  /** The next state on an output chain, or -1. */
  nextOutputOf(output: number): number {
    return this.nextOutput[output];
  }

  /** The pattern ending at an output state. */
  patternEndingAt(output: number): number {
    return this.patternAt[output];
  }

  /** The state reached from `state` on `sym`, or ROOT when there is no such edge. */
  private child(state: number, sym: number): number {
    if (state === ROOT) return this.rootNext[sym];
    for (let child = this.firstChild[state]; child < this.firstChild[state + 1]; child += 1) {
      if (this.symbol[child] === sym) return child;
    }
    return ROOT;
  }

  /** Failure and output links, computed in breadth-first order, which is simply increasing state number. */
  private linkFailures(parent: Int32Array): void {
    const { fail, firstOutput, nextOutput, patternAt, symbol } = this;
    for (let state = 1; state < symbol.length; state += 1) {
      const from = parent[state];
      let target = ROOT;
      if (from !== ROOT) {
        for (let candidate = fail[from]; ; candidate = fail[candidate]) {
          target = this.child(candidate, symbol[state]);
          if (target !== ROOT || candidate === ROOT) break;
        }
      }
      fail[state] = target;
      const inherited = firstOutput[target];
      if (patternAt[state] !== NONE) {
        firstOutput[state] = state;
        nextOutput[state] = inherited;
      } else {
        firstOutput[state] = inherited;
      }
    }
  }
}

/** `AhoCorasick.step` over dense symbols, with complete rows for the shallow states. */
export class ShallowStepper {
  constructor(
    /** Offset of a state's row in `rows`, or -1 for a state without one. */
    private readonly rowOf: Int32Array,
    private readonly rows: Int32Array,
    private readonly firstChild: Int32Array,
    private readonly symbol: Int32Array,
    private readonly fail: Int32Array,
    readonly byteSize: number,
  ) {}

  /** The state after reading symbol `sym` (not 0) in `state`. */
  step(state: number, sym: number): number {
    const { rowOf, firstChild, symbol, fail } = this;
    for (;;) {
      const row = rowOf[state];
      if (row !== NONE) return this.rows[row + sym];
      let low = firstChild[state];
      let high = firstChild[state + 1];
      while (low < high) {
        const middle = (low + high) >>> 1;
        const value = symbol[middle];
        if (value === sym) return middle;
        if (value < sym) low = middle + 1;
        else high = middle;
      }
      state = fail[state];
    }
  }
}

interface Alphabet {
  bmp: Int32Array;
  astral: Map<number, number>;
  size: number;
  symbolOf(code: number): number;
}

function buildAlphabet(patterns: readonly Int32Array[]): Alphabet {
  const bmp = new Int32Array(0x10000);
  const astral = new Map<number, number>();
  let size = 0;
  for (const pattern of patterns) {
    for (const code of pattern) {
      if (code < 0x10000) {
        if (bmp[code] === 0) bmp[code] = ++size;
      } else if (!astral.has(code)) {
        astral.set(code, ++size);
      }
    }
  }
  return {
    bmp,
    astral,
    size,
    symbolOf: (code) => (code < 0x10000 ? bmp[code] : (astral.get(code) as number)),
  };
}

interface Trie {
  firstChild: Int32Array;
  symbol: Int32Array;
  parent: Int32Array;
  patternAt: Int32Array;
}

/**
 * The trie of the sequences, numbered breadth-first. Sorting the sequences first builds it without any
 * per-state map: each sequence shares its longest common prefix with the previous one, and children
 * are created in increasing symbol order. A second pass renumbers depth-first ids breadth-first.
 */
function buildTrie(sequences: readonly Int32Array[]): Trie {
  const order = sequences
    .map((_, index) => index)
    .sort((a, b) => compareSequences(sequences[a], sequences[b]));
  const capacity = 1 + sequences.reduce((sum, sequence) => sum + sequence.length, 0);
  const parent = new Int32Array(capacity);
  const symbol = new Int32Array(capacity);
  const childCount = new Int32Array(capacity);
  const depth = new Int32Array(capacity);
  const patternAt = new Int32Array(capacity).fill(NONE);
  /** Depth-first ids of the nodes on the path of the previous sequence. */
  const path = new Int32Array(sequences.reduce((max, sequence) => Math.max(max, sequence.length), 0) + 1);
  let previous: Int32Array | undefined;
  let nodes = 1;
  for (const index of order) {
    const sequence = sequences[index];
    let shared = 0;
    if (previous) {
      const limit = Math.min(previous.length, sequence.length);
      while (shared < limit && previous[shared] === sequence[shared]) shared += 1;
      if (shared === sequence.length && shared === previous.length) {
        throw new Error(`Pattern ${index} is a duplicate`);
      }
    }
    for (let position = shared; position < sequence.length; position += 1) {
      const from = path[position];
      const node = nodes++;
      parent[node] = from;
      symbol[node] = sequence[position];
      depth[node] = position + 1;
      childCount[from] += 1;
      path[position + 1] = node;
    }
    patternAt[path[sequence.length]] = index;
    previous = sequence;
  }
  return renumberBreadthFirst(nodes, parent, symbol, childCount, depth, patternAt);
}

function renumberBreadthFirst(
  nodes: number,
  parent: Int32Array,
  symbol: Int32Array,
  childCount: Int32Array,
  depth: Int32Array,
  patternAt: Int32Array,
): Trie {
  // A stable sort by depth of the depth-first ids is a breadth-first order in which siblings stay in
  // symbol order and each node's children follow its parent's earlier siblings' children.
  const byDepth = new Int32Array(nodes);
  const perDepth = new Int32Array(depth.reduce((max, value) => Math.max(max, value), 0) + 2);
  for (let node = 0; node < nodes; node += 1) perDepth[depth[node] + 1] += 1;
  for (let level = 1; level < perDepth.length; level += 1) perDepth[level] += perDepth[level - 1];
  const renamed = new Int32Array(nodes);
  for (let node = 0; node < nodes; node += 1) {
    const rank = perDepth[depth[node]]++;
    byDepth[rank] = node;
    renamed[node] = rank;
  }
  // Within one depth, depth-first order already groups children by parent in parent order, because a
  // parent that comes first in depth-first order also had all its children created first.
  const result: Trie = {
    firstChild: new Int32Array(nodes + 1),
    symbol: new Int32Array(nodes),
    parent: new Int32Array(nodes),
    patternAt: new Int32Array(nodes),
  };
  let next = 1;
  for (let rank = 0; rank < nodes; rank += 1) {
    const node = byDepth[rank];
    result.firstChild[rank] = next;
    next += childCount[node];
    result.symbol[rank] = symbol[node];
    result.parent[rank] = rank === 0 ? 0 : renamed[parent[node]];
    result.patternAt[rank] = patternAt[node];
  }
  result.firstChild[nodes] = next;
  return result;
}

function compareSequences(a: Int32Array, b: Int32Array): number {
  const limit = Math.min(a.length, b.length);
  for (let i = 0; i < limit; i += 1) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}
