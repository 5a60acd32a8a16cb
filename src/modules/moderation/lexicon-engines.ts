import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { Action, EngineCache, LexiconEntry, ModerationEngine, Severity } from './engine';
import { LexiconState, lexiconIdOf, readLexiconState } from './lexicon-versions';
import { PlatformLexiconSeeder } from './platform-lexicon-seeder';

/** The engines and policy one scan uses. */
export interface ActiveLexicons {
  state: LexiconState;
  /** Platform terms plus the personal-data and contact detectors. */
  platform: ModerationEngine;
  /** The organization's own terms; null when it has none (or for platform-only scans). */
  organization: ModerationEngine | null;
}

/** States remembered per organization; beyond this the least recently refreshed are forgotten. */
const MAX_REMEMBERED_STATES = 10_000;
const PLATFORM_ONLY = '';

/**
 * Built engines, shared by every request of the process, and the knowledge of whether they are
 * current. Each lexicon (the platform's, each organization's) is its own engine, built once per
 * version: the large platform automaton is shared by all organizations instead of being rebuilt into
 * each organization's, and an organization's change rebuilds only its own small one.
 *
 * Whether a version is current is read from the database with one tiny query, at most once every
 * MODERATION_VERSION_CHECK_MS per organization and process, so a change made on any replica reaches
 * every replica within that interval; a change made on this replica is seen at once (`invalidate`).
 * Concurrent requests share one version read and one build per missing version.
 */
@Injectable()
export class LexiconEngines implements OnApplicationBootstrap {
  private readonly logger = new Logger('LexiconEngines');
  private readonly platformEngines = new EngineCache(2);
  private readonly organizationEngines: EngineCache;
  private readonly checkIntervalMs: number;
  private readonly states = new Map<string, { state: LexiconState; checkedAt: number }>();
  private readonly reading = new Map<string, Promise<LexiconState>>();
  /** Bumped by every local change, so a version read that started before it is not remembered. */
  private generation = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly seeder: PlatformLexiconSeeder,
    config: AppConfig,
  ) {
    this.checkIntervalMs = config.env.MODERATION_VERSION_CHECK_MS;
    this.organizationEngines = new EngineCache(config.env.MODERATION_ENGINE_CACHE_SIZE);
  }

  /**
   * Seeds the platform lexicon if needed (and recomputes term keys after a change of folds). The
   * engine itself is built by the first scan: with the fold and pinyin tables a first build takes a
   * second or more of synchronous work, which would stall boot and every request of a process that
   * never scans. Not fatal: when migrations run as a separate release step they may still be pending,
   * and the first scan tries again.
   */
  onApplicationBootstrap(): void {
    this.seeder.ensureSeeded().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Could not seed the platform lexicon yet; the first scan retries');
    });
  }

  async current(orgId: string | null): Promise<ActiveLexicons> {
    const state = await this.stateOf(orgId);
    const [platform, organization] = await Promise.all([
      this.platformEngines.getOrLoad(state.platformVersion, () => this.build(null, state.platformVersion)),
      orgId !== null && state.orgVersion !== '0'
        ? this.organizationEngines.getOrLoad(`${orgId}@${state.orgVersion}`, () =>
            this.build(orgId, state.orgVersion),
          )
        : null,
    ]);
    return { state, platform, organization };
  }

  /** After a committed change on this replica: the next scan reads the versions again. */
  invalidate(orgId: string | null): void {
    this.generation += 1;
    if (orgId === null) {
      // Every remembered state carries the platform version.
      this.states.clear();
      this.reading.clear();
    } else {
      this.states.delete(orgId);
      this.reading.delete(orgId);
    }
  }

  private async stateOf(orgId: string | null): Promise<LexiconState> {
    const key = orgId ?? PLATFORM_ONLY;
    const known = this.states.get(key);
    const now = performance.now();
    if (known && now - known.checkedAt < this.checkIntervalMs) return known.state;
    let pending = this.reading.get(key);
    if (!pending) {
      const generation = this.generation;
      pending = this.readState(orgId)
        .then((state) => {
          if (generation === this.generation) this.remember(key, state, now);
          return state;
        })
        .finally(() => {
          if (this.reading.get(key) === pending) this.reading.delete(key);
        });
      this.reading.set(key, pending);
    }
    return pending;
  }

  private async readState(orgId: string | null): Promise<LexiconState> {
    await this.seeder.ensureSeeded();
    return readLexiconState(this.dataSource.manager, orgId);
  }

  private remember(key: string, state: LexiconState, checkedAt: number): void {
    this.states.delete(key);
    this.states.set(key, { state, checkedAt });
    if (this.states.size > MAX_REMEMBERED_STATES) {
      const oldest = this.states.keys().next().value as string;
      this.states.delete(oldest);
    }
  }

  /**
   * Loads a lexicon and builds its automaton. Building is synchronous (about 1–2 s for 50,000 terms
   * with their pinyin, see docs/moderation.md), and the cache makes sure it happens once per version, however many requests wait for it.
   */
  private async build(orgId: string | null, version: string): Promise<ModerationEngine> {
    // Raw rows rather than entities: hydrating 50,000 entities costs more than building the automaton.
    const rows: WordRow[] = await this.dataSource.manager.query(
      `SELECT id, term, category, severity, action, allow_phrases, hint, pinyin, pinyin_action
       FROM sensitive_words WHERE lexicon_id = $1`,
      [lexiconIdOf(orgId)],
    );
    return ModerationEngine.build(
      [{ layer: orgId === null ? 'platform' : 'organization', entries: rows.map(toEntry) }],
      orgId === null ? `platform@${version}` : `${orgId}@${version}`,
      { patterns: orgId === null },
    );
  }
}

interface WordRow {
  id: string;
  term: string;
  category: string;
  severity: Severity;
  action: Action;
  allow_phrases: string[];
  hint: string | null;
  pinyin: boolean | null;
  pinyin_action: Action | null;
}

function toEntry(row: WordRow): LexiconEntry {
  const entry: LexiconEntry = {
    id: row.id,
    term: row.term,
    category: row.category,
    severity: row.severity,
    action: row.action,
  };
  if (row.allow_phrases.length > 0) entry.allowPhrases = row.allow_phrases;
  if (row.hint !== null) entry.hint = row.hint;
  if (row.pinyin !== null) entry.pinyin = row.pinyin;
  if (row.pinyin_action !== null) entry.pinyinAction = row.pinyin_action;
  return entry;
}
