import { Locale } from 'opencc-js/t2cn';

/**
 * Traditional → simplified Chinese, one character for one character, from OpenCC's own character
 * dictionary (TSCharacters, shipped in opencc-js): for each traditional character, the simplified
 * character OpenCC picks when no phrase decides (its first candidate). Text and lexicon terms go
 * through the same folding, so a term written in simplified characters also catches 國家級 / 獨一無二 /
 * 賭博 typed in traditional ones.
 *
 * Only single characters: OpenCC's phrase dictionaries (乾隆 stays 乾, 頭髮 → 头发) would need a
 * per-text conversion, which cannot keep offsets into the original text cheaply. The regional variant
 * dictionaries (TW/HK) are left out on purpose: they map characters that are ordinary simplified ones
 * in the mainland (么 → 幺 would turn 什么 into 什幺).
 */

let cached: Map<number, number> | undefined;

/** Code point → code point. Built on first use from the dictionary string (a few milliseconds). */
export function traditionalToSimplifiedMap(): Map<number, number> {
  if (cached) return cached;
  const map = new Map<number, number>();
  for (const dictionary of Locale.to.cn.flat()) {
    if (typeof dictionary !== 'string') continue;
    for (const line of dictionary.split('|')) {
      const [source, first] = line.split(' ');
      if (!source || !first) continue;
      const from = Array.from(source);
      const to = Array.from(first);
      // Phrase entries (more than one character on either side) need context; skip them.
      if (from.length !== 1 || to.length !== 1 || from[0] === to[0]) continue;
      const key = from[0].codePointAt(0) as number;
      if (!map.has(key)) map.set(key, to[0].codePointAt(0) as number);
    }
  }
  // One lookup must be enough: follow chains (a simplified side that is itself a key) to their end.
  for (const [key, value] of map) {
    let target = value;
    for (let hops = 0; map.has(target) && hops < 4; hops += 1) target = map.get(target) as number;
    if (target === key) map.delete(key);
    else map.set(key, target);
  }
  cached = map;
  return map;
}
