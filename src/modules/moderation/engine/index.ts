export { AhoCorasick, MatchBuffer, type MatchSink } from './automaton';
export { ModerationEngine, type EngineOptions } from './engine';
export { EngineCache } from './engine-cache';
export {
  summarize,
  type Action,
  type Finding,
  type FindingsSummary,
  type Severity,
  type SummaryAction,
} from './findings';
export { type LexiconEntry, type LexiconLayer, type SkippedEntry } from './lexicon';
export { NormalizedText, normalize, normalizedString, normalizeInto } from './normalizer';
export { detectPatterns, luhnValid, PATTERN_RULES, type PatternKind } from './patterns';
export { SEED_LEXICON, SEED_LEXICON_VERSION } from './seed-lexicon';
