import { AhoCorasick, MatchBuffer } from './automaton';

const codes = (text: string): Int32Array =>
  Int32Array.from(Array.from(text, (char) => char.codePointAt(0) as number));

/** All (pattern, end) matches as "pattern@end" strings, sorted. */
function run(patterns: string[], text: string): string[] {
  const automaton = AhoCorasick.build(patterns.map(codes));
  const input = codes(text);
  const buffer = new MatchBuffer();
  automaton.scan(input, input.length, buffer);
  return Array.from(
    { length: buffer.length },
    (_, i) => `${patterns[buffer.patterns[i]]}@${buffer.ends[i]}`,
  ).sort();
}

function naive(patterns: string[], text: string): string[] {
  const chars = Array.from(text);
  const found: string[] = [];
  for (const pattern of patterns) {
    const needle = Array.from(pattern);
    for (let end = needle.length - 1; end < chars.length; end += 1) {
      if (needle.every((char, k) => chars[end - needle.length + 1 + k] === char))
        found.push(`${pattern}@${end}`);
    }
  }
  return found.sort();
}

describe('Aho–Corasick automaton', () => {
  it('finds overlapping and nested matches', () => {
    expect(run(['he', 'she', 'his', 'hers'], 'ushers')).toEqual(['he@3', 'hers@5', 'she@3']);
  });

  it('finds patterns that are suffixes of others through output links', () => {
    expect(run(['全网第一', '第一', '网第'], '全网第一')).toEqual(['全网第一@3', '第一@3', '网第@2']);
  });

  it('handles supplementary-plane code points and characters outside the alphabet', () => {
    expect(run(['𠮷野', '野家'], 'x𠮷野家y𠮷')).toEqual(['野家@3', '𠮷野@2']);
  });

  it('agrees with a naive search on random input', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const alphabet = ['甲', '乙', '丙', 'a', '😀'];
    const word = (length: number): string =>
      Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let round = 0; round < 20; round += 1) {
      const patterns = [...new Set(Array.from({ length: 40 }, () => word(1 + Math.floor(random() * 5))))];
      const text = word(300);
      expect(run(patterns, text)).toEqual(naive(patterns, text));
    }
  });

  it('refuses empty and duplicate patterns', () => {
    expect(() => AhoCorasick.build([codes('')])).toThrow(/empty/);
    expect(() => AhoCorasick.build([codes('ab'), codes('ab')])).toThrow(/duplicate/);
  });

  it('reports its size', () => {
    const automaton = AhoCorasick.build([codes('ab'), codes('ac')]);
    expect(automaton.stateCount).toBe(4);
    expect(automaton.patternCount).toBe(2);
    expect(automaton.patternLength(1)).toBe(2);
    expect(automaton.byteSize).toBeGreaterThan(0);
  });
});
