/**
 * Occurrences of allow phrases in one scan, in order of their end (the order the automaton reports
 * matches in). A term is allowed when an occurrence of one of its phrases covers it; only occurrences
 * ending between the term's end and its start plus the longest phrase can, so a binary search keeps
 * the check cheap even on a text full of allow phrases.
 */
export class AllowHits {
  private ids: number[] = [];
  private starts: number[] = [];
  private ends: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  clear(): void {
    this.ids.length = 0;
    this.starts.length = 0;
    this.ends.length = 0;
  }

  add(id: number, start: number, end: number): void {
    this.ids.push(id);
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Whether an occurrence of one of `ids` spans the normalized range [start, end]. */
  covers(ids: Int32Array, start: number, end: number, longest: number): boolean {
    const { ends, starts } = this;
    let low = 0;
    let high = ends.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (ends[middle] < end) low = middle + 1;
      else high = middle;
    }
    const lastPossibleEnd = start + longest - 1;
    for (let k = low; k < ends.length && ends[k] <= lastPossibleEnd; k += 1) {
      if (starts[k] <= start && ids.includes(this.ids[k])) return true;
    }
    return false;
  }
}
