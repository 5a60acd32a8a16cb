/**
 * The longest string an anchored regular expression (`^…$`) can match, or `undefined` when it is
 * unbounded (`+`, `*`, `{n,}`) or uses syntax this small reader does not know. The document generator
 * states it as `maxLength`: the validator enforces the pattern, so the bound is enforced with it, and a
 * client generated from the spec learns it without reading the regex.
 */
export function patternMaxLength(pattern: string): number | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return undefined;
  const reader = new PatternReader(pattern.slice(1, -1));
  const length = reader.alternation();
  return reader.done() && length !== undefined && Number.isFinite(length) ? length : undefined;
}

class PatternReader {
  private at = 0;

  constructor(private readonly source: string) {}

  done(): boolean {
    return this.at === this.source.length;
  }

  /** `a|b|c`: the longest alternative. */
  alternation(): number | undefined {
    let longest = this.sequence();
    while (this.source[this.at] === '|') {
      this.at += 1;
      const next = this.sequence();
      longest = longest === undefined || next === undefined ? undefined : Math.max(longest, next);
    }
    return longest;
  }

  private sequence(): number | undefined {
    let total = 0;
    while (this.at < this.source.length && this.source[this.at] !== '|' && this.source[this.at] !== ')') {
      const atom = this.atom();
      if (atom === undefined) return undefined;
      const times = this.quantifier();
      if (times === undefined) return undefined;
      // Unbounded repetition stays Infinity; the caller turns that into "no bound".
      total += atom === 0 ? 0 : atom * times;
    }
    return total;
  }

  private atom(): number | undefined {
    const char = this.source[this.at];
    if (char === '(') {
      this.at += 1;
      let lookaround = false;
      if (this.source.startsWith('?:', this.at)) this.at += 2;
      else if (/^\?<?[=!]/.test(this.source.slice(this.at))) {
        lookaround = true;
        this.at += this.source[this.at + 1] === '<' ? 3 : 2;
      } else if (this.source.startsWith('?<', this.at)) {
        const end = this.source.indexOf('>', this.at);
        if (end < 0) return undefined;
        this.at = end + 1;
      }
      const inner = this.alternation();
      if (this.source[this.at] !== ')') return undefined;
      this.at += 1;
      return lookaround ? 0 : inner;
    }
    if (char === '[') return this.characterClass();
    if (char === '\\') return this.escape();
    if (char === '^' || char === '$') {
      this.at += 1;
      return 0;
    }
    if (char === '*' || char === '+' || char === '?' || char === '{') return undefined;
    // A literal (or `.`): one character; a surrogate pair counts as one, as maxLength does.
    this.at += char.codePointAt(0)! > 0xffff ? 2 : 1;
    return 1;
  }

  private characterClass(): number | undefined {
    this.at += 1;
    if (this.source[this.at] === '^') this.at += 1;
    if (this.source[this.at] === ']') this.at += 1;
    while (this.at < this.source.length && this.source[this.at] !== ']') {
      this.at += this.source[this.at] === '\\' ? 2 : 1;
    }
    if (this.source[this.at] !== ']') return undefined;
    this.at += 1;
    return 1;
  }

  private escape(): number | undefined {
    const next = this.source[this.at + 1];
    if (next === undefined) return undefined;
    if (next === 'b' || next === 'B') {
      this.at += 2;
      return 0;
    }
    // Back references repeat a group of unknown length.
    if (/[1-9k]/.test(next)) return undefined;
    if ((next === 'p' || next === 'P') && this.source[this.at + 2] === '{') {
      const end = this.source.indexOf('}', this.at);
      if (end < 0) return undefined;
      this.at = end + 1;
      return 1;
    }
    const width = next === 'x' ? 4 : next === 'u' ? (this.source[this.at + 2] === '{' ? -1 : 6) : 2;
    if (width === -1) {
      const end = this.source.indexOf('}', this.at);
      if (end < 0) return undefined;
      this.at = end + 1;
    } else {
      this.at += width;
    }
    return 1;
  }

  /** How many times the atom before may repeat at most: 1 without a quantifier, Infinity unbounded. */
  private quantifier(): number | undefined {
    const char = this.source[this.at];
    let times: number;
    if (char === '?') {
      this.at += 1;
      times = 1;
    } else if (char === '*' || char === '+') {
      this.at += 1;
      times = Infinity;
    } else if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
      if (!match) return undefined;
      this.at += match[0].length;
      times = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
    } else {
      return 1;
    }
    if (this.source[this.at] === '?') this.at += 1;
    return times;
  }
}
