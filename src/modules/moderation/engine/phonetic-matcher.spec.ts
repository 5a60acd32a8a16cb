import fc from 'fast-check';
import { AhoCorasick } from './automaton';
import { foldTable } from './char-fold';
import { compileLexicon, LexiconEntry } from './lexicon';
import { normalize } from './normalizer';
import { PhoneticMatcher, PhoneticPath, PhoneticSink } from './phonetic-matcher';
import { pinyinTable } from './pinyin-table';

/**
 * The lattice walk with its shortcuts (complete rows for shallow states, readings pre-mapped to
 * symbols) against the straightforward reading: every pattern traced back from every node. Both must
 * report the same distinct matches on any text.
 */

const entry = (term: string): LexiconEntry => ({
  term,
  category: 'fraud',
  severity: 'high',
  action: 'review',
  pinyin: true,
});

const TERMS = [
  '最佳',
  '加微信',
  '稳赚不赔',
  '刷单',
  '国家级',
  '最高级',
  '第一名',
  '银行卡',
  '赌博',
  '博彩',
  '一夜',
];
const folds = foldTable('extended');
const table = pinyinTable();
const lexicon = compileLexicon([{ layer: 'test', entries: TERMS.map(entry) }], folds, table);
const matcher = new PhoneticMatcher(
  AhoCorasick.build(lexicon.phoneticPatterns),
  lexicon.phoneticPatterns,
  table,
);

/** Distinct hits as strings: pattern, span and how each syllable was read. */
function collect(run: (sink: PhoneticSink) => void): string[] {
  const seen = new Set<string>();
  run({
    hit(pattern: number, start: number, end: number, path: PhoneticPath) {
      const length = lexicon.phoneticPatterns[pattern].length;
      const how = Array.from(path.latin.subarray(0, length)).join('');
      const units = Array.from(path.unitOf.subarray(0, length)).join(',');
      seen.add(`${pattern}:${start}-${end}:${units}:${how}`);
    },
  });
  return [...seen].sort();
}

/** Characters a writer would mix: the terms, homophones, polyphonic ones, pinyin letters, tones, junk. */
const PIECES = [
  ...TERMS,
  '醉',
  '佳',
  '家',
  '嘉',
  '薇',
  '威',
  '信',
  '心',
  '稳',
  '转',
  '不',
  '陪',
  '行',
  '长',
  '重',
  '乐',
  '了',
  'zui',
  'jia',
  'wei',
  'xin',
  'wen',
  'zhuan',
  'bu',
  'pei',
  'shua',
  'dan',
  'du',
  'bo',
  'cai',
  'yi',
  'ye',
  'zui4',
  'jia1',
  'an',
  'ning',
  'systematic',
  'ZUI',
  'Jia',
  '1',
  '一',
  '幺',
  '8',
  ' ',
  '，',
  '！',
  '~',
  '\u200b',
];

describe('PhoneticMatcher', () => {
  it('reports exactly what tracing every pattern back from every node finds', () => {
    let withHits = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (pieces) => {
        const normalized = normalize(pieces.join(''), folds);
        const fast = collect((sink) => matcher.scan(normalized, sink));
        const reference = collect((sink) => matcher.scanByTracing(normalized, sink));
        expect(fast).toEqual(reference);
        if (reference.length > 0) withHits += 1;
      }),
      { numRuns: 400 },
    );
    // The inputs must exercise matching, not only agree on finding nothing.
    expect(withHits).toBeGreaterThan(100);
  });

  it('finds the terms written by sound at all', () => {
    const normalized = normalize('他说醉佳，还要加weixin，zui4 jia1', folds);
    expect(collect((sink) => matcher.scan(normalized, sink)).length).toBeGreaterThanOrEqual(3);
  });
});
