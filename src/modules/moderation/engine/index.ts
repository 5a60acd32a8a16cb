export { AhoCorasick, MatchBuffer, type MatchSink } from './automaton';
export { ModerationEngine, type EngineOptions } from './engine';
export { EngineCache } from './engine-cache';
export {
  summarize,
  type Action,
  FOLDS,
  type Finding,
  type FoldName,
  type FindingsSummary,
  type Severity,
  type SummaryAction,
} from './findings';
export {
  containsBySound,
  pinyinByDefault,
  pinyinEnabled,
  PINYIN_CATEGORIES,
  type LexiconEntry,
  type LexiconLayer,
  type SkippedEntry,
} from './lexicon';
export { pinyinTable } from './pinyin-table';
export { NormalizedText, normalize, normalizedString, normalizeInto } from './normalizer';
export { detectPatterns, luhnValid, PATTERN_RULES, type PatternKind } from './patterns';
export { SEED_LEXICON, SEED_LEXICON_VERSION } from './seed-lexicon';
