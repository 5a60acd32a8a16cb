import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILLERS, GROUPS } from './clean-corpus-templates';
import { seededRandom } from './moderation-corpus';

/**
 * Writes `bench/data/clean-corpus.txt`, the clean corpus bench:moderation measures false positives on:
 * paragraphs of ordinary text from the templates of `clean-corpus-templates.ts`, deterministic for the
 * seed, one paragraph per line, until the file holds at least 200 KB of UTF-8.
 *
 *   npm run build && node dist/bench/generate-clean-corpus.js
 */

const TARGET_BYTES = 210 * 1024;
const SEED = 20_250_301;

export function generateCleanCorpus(bytes = TARGET_BYTES, seed = SEED): string {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const fill = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (_, slot: string) => {
      const options = FILLERS[slot];
      if (!options) throw new Error(`Unknown slot {${slot}}`);
      return pick(options);
    });
  const groups = Object.values(GROUPS);
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
  const path = join(__dirname, '..', '..', 'bench', 'data', 'clean-corpus.txt');
  const text = generateCleanCorpus();
  writeFileSync(path, text);
  console.log(`${path}: ${Buffer.byteLength(text, 'utf8')} bytes, ${text.length} characters`);
}
