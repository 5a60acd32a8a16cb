import { LexiconEntry } from '../src/modules/moderation/engine/lexicon';
import { SEED_LEXICON } from '../src/modules/moderation/engine/seed-lexicon';
import { traditionalToSimplifiedMap } from '../src/modules/moderation/engine/traditional-simplified';

/**
 * Synthetic but Chinese-shaped data for bench:moderation, deterministic for a given seed: a large
 * organization lexicon and posts in which frequent characters dominate, as in real text.
 */

/** Mulberry32: a small seeded generator, so every run scans the same corpus. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Frequent characters first (roughly by frequency), then the simplified side of OpenCC's character
 * table (common characters of the CJK block only, as rare ones hardly occur in posts).
 */
const FREQUENT =
  '的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心' +
  '多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外' +
  '但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电' +
  '四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性' +
  '通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清' +
  '物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连' +
  '远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告' +
  '江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单' +
  '据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽讲布杀微怕母调局根曾准' +
  '团段终乐切级克精哪官示冷域';

export function characterPool(): string[] {
  const pool = new Set(Array.from(FREQUENT));
  for (const simplified of traditionalToSimplifiedMap().values()) {
    if (simplified >= 0x4e00 && simplified <= 0x9fff) pool.add(String.fromCharCode(simplified));
  }
  return [...pool];
}

/** Index into a pool with a Zipf-like skew (s ≈ 1): the first characters are by far the most common. */
function zipfIndex(random: () => number, size: number): number {
  return Math.min(size - 1, Math.floor(Math.exp(random() * Math.log(size + 1))) - 1);
}

/** The most frequent characters (的, 是, 了 …) are function words, which lexicon terms rarely contain. */
const FUNCTION_WORDS = 100;

/**
 * `count` distinct terms of 2–6 characters, drawn evenly from the pool past its function words: real
 * sensitive terms are made of content words, so they match a few times per post, not at every turn.
 */
export function generateLexicon(count: number, random: () => number): LexiconEntry[] {
  const pool = characterPool();
  const lengths = [2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 6];
  const seen = new Set<string>();
  const entries: LexiconEntry[] = [];
  while (entries.length < count) {
    const length = lengths[Math.floor(random() * lengths.length)];
    let term = '';
    for (let i = 0; i < length; i += 1) {
      term += pool[FUNCTION_WORDS + Math.floor(random() * (pool.length - FUNCTION_WORDS))];
    }
    if (seen.has(term)) continue;
    seen.add(term);
    const index = entries.length;
    entries.push({
      id: `bench-${index}`,
      term,
      category: ['advertising.custom', 'brand.competitor', 'fraud', 'vulgarity'][index % 4],
      severity: (['low', 'medium', 'high'] as const)[index % 3],
      action: (['flag', 'review', 'block'] as const)[index % 3],
      ...(index % 20 === 0 ? { allowPhrases: [`${term}${pool[index % pool.length]}`] } : {}),
    });
  }
  return entries;
}

const PUNCTUATION = ['，', '。', '！', '？', '、', '~', ' ', '\n', '…', '：'];
const EMOJI = ['😀', '👍🏽', '❤️', '🔥', '👨‍👩‍👧', '🇨🇳', '✨'];
const LATIN = ['iPhone 15', 'NO.1', 'vlog', 'OK', 'TOP10', 'App', '2024', '99元', '5G'];
const PRIVATE = ['13800138000', '微信: shop_2024', '加我V', 'abc@qq.com', '6222021234567890128'];
const SEED_TERMS = SEED_LEXICON.map((entry) => entry.term);

/**
 * One post of roughly `length` characters: frequent characters, punctuation every few words, now and
 * then an emoji, a Latin word, a seeded sensitive term (sometimes disguised) or a piece of private data.
 */
export function generatePost(length: number, random: () => number, pool: string[] = characterPool()): string {
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    const roll = random();
    let part: string;
    if (roll < 0.004) part = PRIVATE[Math.floor(random() * PRIVATE.length)];
    else if (roll < 0.014) part = disguise(SEED_TERMS[Math.floor(random() * SEED_TERMS.length)], random);
    else if (roll < 0.03) part = EMOJI[Math.floor(random() * EMOJI.length)];
    else if (roll < 0.04) part = LATIN[Math.floor(random() * LATIN.length)];
    else {
      const words = 2 + Math.floor(random() * 12);
      part = '';
      for (let i = 0; i < words; i += 1) part += pool[zipfIndex(random, pool.length)];
      part += PUNCTUATION[Math.floor(random() * PUNCTUATION.length)];
    }
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

function disguise(term: string, random: () => number): string {
  const roll = random();
  if (roll < 0.5) return term;
  if (roll < 0.75) return Array.from(term).join(random() < 0.5 ? ' ' : '\u200b');
  return Array.from(term).join('😀');
}

/** Posts of 50–2,000 characters until the corpus holds `bytes` UTF-8 bytes. */
export function generateCorpus(bytes: number, random: () => number): string[] {
  const pool = characterPool();
  const posts: string[] = [];
  let total = 0;
  while (total < bytes) {
    const post = generatePost(50 + Math.floor(random() * 1950), random, pool);
    posts.push(post);
    total += Buffer.byteLength(post, 'utf8');
  }
  return posts;
}

/** Text of exactly `bytes` UTF-8 bytes or a little less (never splitting a character). */
export function generateDocument(bytes: number, random: () => number): string {
  let text = generatePost(Math.ceil(bytes / 2.5), random);
  while (Buffer.byteLength(text, 'utf8') < bytes) text += generatePost(1000, random);
  const encoded = Buffer.from(text, 'utf8').subarray(0, bytes);
  return encoded.toString('utf8').replace(/\ufffd+$/, '');
}
