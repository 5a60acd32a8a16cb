import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { bmpFoldTable } from '../src/modules/moderation/engine/char-fold';
import { ModerationEngine } from '../src/modules/moderation/engine/engine';
import { SEED_LEXICON } from '../src/modules/moderation/engine/seed-lexicon';
import {
  generateCorpus,
  generateDocument,
  generateLexicon,
  generatePost,
  seededRandom,
} from './moderation-corpus';

/**
 * npm run bench:moderation: the sensitive-word engine alone, single thread, no I/O. Builds an engine
 * from the seed lexicon plus a generated organization lexicon, then scans generated Chinese posts.
 * Targets: build < 2 s for 50,000 terms, ≥ 20 MB/s (UTF-8 bytes of input), median < 1 ms for a 10 KB
 * post. Run with --expose-gc (the npm script does) for meaningful memory numbers.
 */

const TERMS = Number(process.env.BENCH_MODERATION_TERMS ?? 50_000);
const CORPUS_BYTES = Number(process.env.BENCH_MODERATION_CORPUS_MB ?? 4) * 1024 * 1024;
const PASSES = Number(process.env.BENCH_MODERATION_PASSES ?? 5);
const POST_RUNS = Number(process.env.BENCH_MODERATION_POST_RUNS ?? 2000);
const DOCUMENT_RUNS = 10;

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { heap: number; external: number; rss: number } {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.arrayBuffers, rss: usage.rss };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Times `runs` calls of `fn` (after a warm-up), in milliseconds, sorted. */
function timings(runs: number, fn: () => void): number[] {
  for (let i = 0; i < Math.min(50, runs); i += 1) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

function throughput(
  engine: ModerationEngine,
  corpus: string[],
  bytes: number,
): { mbPerSecond: number; findings: number } {
  let findings = 0;
  for (const post of corpus) findings += engine.scan(post).length;
  const started = performance.now();
  for (let pass = 0; pass < PASSES; pass += 1) {
    for (const post of corpus) engine.scan(post);
  }
  const seconds = (performance.now() - started) / 1000;
  return { mbPerSecond: (bytes * PASSES) / MB / seconds, findings };
}

function main(): void {
  const random = seededRandom(20_240_601);
  let started = performance.now();
  bmpFoldTable();
  const foldTableMs = performance.now() - started;

  const orgEntries = generateLexicon(TERMS, random);
  const layers = [
    { layer: 'platform', entries: SEED_LEXICON },
    { layer: 'org', entries: orgEntries },
  ];
  const corpus = generateCorpus(CORPUS_BYTES, random);
  const corpusBytes = corpus.reduce((sum, post) => sum + Buffer.byteLength(post, 'utf8'), 0);
  let post = generatePost(3400, random);
  while (Buffer.byteLength(post, 'utf8') > 10 * 1024) post = post.slice(0, -1);
  const document = generateDocument(MB, random);

  const before = memory();
  started = performance.now();
  const engine = ModerationEngine.build(layers, 'bench');
  const buildMs = performance.now() - started;
  const after = memory();
  const rebuilds = [1, 2].map(() => {
    const again = performance.now();
    ModerationEngine.build(layers, 'bench-again');
    return performance.now() - again;
  });

  const full = throughput(engine, corpus, corpusBytes);
  const lexiconOnly = throughput(
    ModerationEngine.build(layers, 'lexicon', { patterns: false }),
    corpus,
    corpusBytes,
  );
  const postTimes = timings(POST_RUNS, () => engine.scan(post));
  const documentTimes = timings(DOCUMENT_RUNS, () => engine.scan(document));

  const result = {
    bench: 'moderation',
    node: process.version,
    cpus: cpus().length,
    terms: engine.termCount,
    corpusMB: +(corpusBytes / MB).toFixed(2),
    posts: corpus.length,
    findingsPerPass: full.findings,
    foldTableMs: +foldTableMs.toFixed(1),
    buildMs: +buildMs.toFixed(0),
    rebuildMs: rebuilds.map((ms) => +ms.toFixed(0)),
    automatonMB: +(engine.automatonBytes / MB).toFixed(2),
    engineHeapMB: +((after.heap - before.heap) / MB).toFixed(2),
    engineArrayBuffersMB: +((after.external - before.external) / MB).toFixed(2),
    rssMB: +(after.rss / MB).toFixed(0),
    throughputMBs: +full.mbPerSecond.toFixed(1),
    lexiconOnlyMBs: +lexiconOnly.mbPerSecond.toFixed(1),
    post10KBytes: Buffer.byteLength(post, 'utf8'),
    post10KMedianMs: +quantile(postTimes, 0.5).toFixed(3),
    post10KP99Ms: +quantile(postTimes, 0.99).toFixed(3),
    document1MBMedianMs: +quantile(documentTimes, 0.5).toFixed(1),
    document1MBMaxMs: +documentTimes[documentTimes.length - 1].toFixed(1),
    gcExposed: gc !== undefined,
  };

  const rows: [string, string, string][] = [
    ['lexicon', `${result.terms} terms (seed + generated)`, ''],
    [
      'corpus',
      `${result.corpusMB} MB UTF-8 in ${result.posts} posts, ${result.findingsPerPass} findings`,
      '',
    ],
    ['fold table (once per process)', `${result.foldTableMs} ms`, ''],
    ['build', `${result.buildMs} ms (again: ${result.rebuildMs.join(', ')} ms)`, 'target < 2000 ms'],
    ['automaton arrays', `${result.automatonMB} MB`, ''],
    [
      'engine heap / array buffers',
      `${result.engineHeapMB} MB / ${result.engineArrayBuffersMB} MB`,
      gc ? '' : 'run with --expose-gc',
    ],
    ['process RSS', `${result.rssMB} MB`, ''],
    ['throughput (lexicon + patterns)', `${result.throughputMBs} MB/s`, 'target ≥ 20 MB/s'],
    ['throughput (lexicon only)', `${result.lexiconOnlyMBs} MB/s`, ''],
    [
      '10 KB post median / p99',
      `${result.post10KMedianMs} / ${result.post10KP99Ms} ms`,
      'target median < 1 ms',
    ],
    ['1 MB document median / max', `${result.document1MBMedianMs} / ${result.document1MBMaxMs} ms`, ''],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(
    `\nbench:moderation: node ${process.version}, ${result.cpus} CPUs, single thread, ${PASSES} passes`,
  );
  for (const [name, value, note] of rows)
    console.log(`${name.padEnd(width)}  ${value}${note ? `  (${note})` : ''}`);
  console.log(JSON.stringify(result));
}

main();
