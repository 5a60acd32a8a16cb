/**
 * The encoding of a day's set of person ordinals (`analytics_day_sets.persons`), written by the rollup
 * builder and read by the traffic report. The first byte names the format; the builder keeps whichever
 * is smaller for the day:
 *
 * - `1` bitmap: bit `i` (byte `i >> 3`, bit `i & 7`) is set when ordinal `i` is in the set;
 * - `2` deltas: the ordinals ascending as unsigned LEB128 varints, the first one itself and every
 *   further one as its difference (≥ 1) from the previous one.
 *
 * Both are exact: decoding gives back precisely the ordinals encoded.
 */
export const BITMAP = 1;
export const DELTAS = 2;

/** Encodes distinct non-negative integer ordinals (any order) in the smaller of the two formats. */
export function encodePersonSet(ordinals: readonly number[]): Buffer {
  for (const ordinal of ordinals) {
    if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal > 0x7fffffff)
      throw new RangeError(`ordinal ${ordinal}`);
  }
  const sorted = Uint32Array.from(ordinals).sort();
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i] === sorted[i - 1]) throw new RangeError(`duplicate ordinal ${sorted[i]}`);
  }
  const max = sorted.length ? sorted[sorted.length - 1] : -1;
  const bitmapBytes = 1 + Math.floor((max + 8) / 8);
  const deltas: number[] = [DELTAS];
  let previous = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    let gap = i === 0 ? sorted[0] : sorted[i] - previous;
    previous = sorted[i];
    while (gap >= 0x80) {
      deltas.push((gap & 0x7f) | 0x80);
      gap >>>= 7;
    }
    deltas.push(gap);
    if (deltas.length > bitmapBytes) break;
  }
  if (deltas.length <= bitmapBytes) return Buffer.from(deltas);
  const bitmap = Buffer.alloc(bitmapBytes);
  bitmap[0] = BITMAP;
  for (const ordinal of sorted) bitmap[1 + (ordinal >> 3)] |= 1 << (ordinal & 7);
  return bitmap;
}

/** Decodes a set back into its ordinals, ascending. */
export function decodePersonSet(encoded: Uint8Array): number[] {
  const out: number[] = [];
  forEachOrdinal(encoded, (ordinal) => out.push(ordinal));
  return out;
}

function forEachOrdinal(encoded: Uint8Array, visit: (ordinal: number) => void): void {
  if (encoded.length === 0) throw new RangeError('empty person set');
  if (encoded[0] === BITMAP) {
    for (let i = 1; i < encoded.length; i += 1) {
      const byte = encoded[i];
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit += 1) if (byte & (1 << bit)) visit(((i - 1) << 3) | bit);
    }
    return;
  }
  if (encoded[0] !== DELTAS) throw new RangeError(`unknown person set format ${encoded[0]}`);
  let value = 0;
  let first = true;
  for (let i = 1; i < encoded.length;) {
    let gap = 0;
    let shift = 0;
    for (;;) {
      if (i >= encoded.length) throw new RangeError('truncated person set');
      const byte = encoded[i++];
      gap += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) break;
    }
    value = first ? gap : value + gap;
    first = false;
    visit(value);
  }
}

/** Set bits of a 32-bit word (SWAR popcount). */
function popcount32(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The union of encoded day sets, as a growing bitmap: `size` is the exact number of distinct ordinals. */
export class PersonUnion {
  // A multiple of 4 bytes long, so `size` can count a word at a time.
  private bits = new Uint8Array(1024);

  add(encoded: Uint8Array): this {
    if (encoded.length > 0 && encoded[0] === BITMAP) {
      this.grow(encoded.length - 1);
      for (let i = 1; i < encoded.length; i += 1) this.bits[i - 1] |= encoded[i];
      return this;
    }
    forEachOrdinal(encoded, (ordinal) => {
      const at = ordinal >> 3;
      if (at >= this.bits.length) this.grow(at + 1);
      this.bits[at] |= 1 << (ordinal & 7);
    });
    return this;
  }

  get size(): number {
    const words = new Uint32Array(this.bits.buffer, this.bits.byteOffset, this.bits.length >> 2);
    let n = 0;
    for (let i = 0; i < words.length; i += 1) if (words[i] !== 0) n += popcount32(words[i]);
    return n;
  }

  private grow(bytes: number): void {
    if (bytes <= this.bits.length) return;
    const next = new Uint8Array(Math.max((bytes + 3) & ~3, this.bits.length * 2));
    next.set(this.bits);
    this.bits = next;
  }
}
