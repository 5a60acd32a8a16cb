import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILLERS, GROUPS } from './clean-corpus-templates';
import { HELD_OUT_FILLERS, HELD_OUT_GROUPS } from './held-out-corpus-templates';
import { seededRandom } from './moderation-corpus';

/**
 * Writes `bench/data/clean-corpus.txt`, the clean corpus bench:moderation measures false positives on:
 * paragraphs of ordinary text from the templates of `clean-corpus-templates.ts`, deterministic for the
 * seed, one paragraph per line, until the file holds at least 200 KB of UTF-8. And
 * `bench/data/held-out-corpus.txt` (at least 100 KB) from the other topics of
 * `held-out-corpus-templates.ts`, which the allow phrases were not tuned on.
 *
 *   npm run build && node dist/bench/generate-clean-corpus.js
 */

const TARGET_BYTES = 210 * 1024;
const SEED = 20_250_301;
const HELD_OUT_BYTES = 110 * 1024;
const HELD_OUT_SEED = 20_261_203;

export function generateCleanCorpus(
  bytes = TARGET_BYTES,
  seed = SEED,
  fillers: Readonly<Record<string, readonly string[]>> = FILLERS,
  groupsByTopic: Readonly<Record<string, readonly string[]>> = GROUPS,
): string {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const fill = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (_, slot: string) => {
      const options = fillers[slot];
      if (!options) throw new Error(`Unknown slot {${slot}}`);
      return pick(options);
    });
  const groups = Object.values(groupsByTopic);
  const paragraphs: string[] = [];
  let total = 0;
  while (total < bytes) {
    const sentences = pick(groups);
    const count = 3 + Math.floor(random() * 4);
    const chosen = new Set<number>();
    while (chosen.size < Math.min(count, sentences.length))
      chosen.add(Math.floor(random() * sentences.length));
    const paragraph = [...chosen].map((index) => fill(sentences[index])).join('');
    paragraphs.push(paragraph);
    total += Buffer.byteLength(paragraph, 'utf8') + 1;
  }
  return `${paragraphs.join('\n')}\n`;
}

if (require.main === module) {
  const write = (name: string, text: string) => {
    const path = join(__dirname, '..', '..', 'bench', 'data', name);
    writeFileSync(path, text);
    console.log(`${path}: ${Buffer.byteLength(text, 'utf8')} bytes, ${text.length} characters`);
  };
  write('clean-corpus.txt', generateCleanCorpus());
  write(
    'held-out-corpus.txt',
    generateCleanCorpus(HELD_OUT_BYTES, HELD_OUT_SEED, HELD_OUT_FILLERS, HELD_OUT_GROUPS),
  );
}
