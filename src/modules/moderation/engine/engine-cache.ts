import { ModerationEngine } from './engine';

/**
 * Built engines by lexicon version, least recently used evicted first. The version string is the whole
 * key: whoever owns the lexicon decides when it changes (and cheaply asks which version is current),
 * this only avoids building the same version twice.
 */
export class EngineCache {
  /** Map iteration order is insertion order: re-inserting on use keeps the least recent first. */
  private readonly engines = new Map<string, ModerationEngine>();
  private readonly loading = new Map<string, Promise<ModerationEngine>>();

  constructor(readonly capacity = 16) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('EngineCache capacity must be ≥ 1');
  }

  get size(): number {
    return this.engines.size;
  }

  has(version: string): boolean {
    return this.engines.has(version);
  }

  /** The cached engine without building, and without counting as a use. */
  peek(version: string): ModerationEngine | undefined {
    return this.engines.get(version);
  }

  /** The engine of `version`, built by `build` (synchronously) on a miss. */
  getOrBuild(version: string, build: () => ModerationEngine): ModerationEngine {
    const cached = this.touch(version);
    if (cached) return cached;
    const engine = build();
    this.store(version, engine);
    return engine;
  }

  /**
   * The same for a loader that first has to fetch the entries: concurrent callers asking for the same
   * missing version share one load instead of each building the automaton. A failed load is not cached.
   */
  async getOrLoad(version: string, load: () => Promise<ModerationEngine>): Promise<ModerationEngine> {
    const cached = this.touch(version);
    if (cached) return cached;
    let pending = this.loading.get(version);
    if (!pending) {
      pending = load()
        .then((engine) => {
          this.store(version, engine);
          return engine;
        })
        .finally(() => this.loading.delete(version));
      this.loading.set(version, pending);
    }
    return pending;
  }

  delete(version: string): boolean {
    return this.engines.delete(version);
  }

  clear(): void {
    this.engines.clear();
  }

  private touch(version: string): ModerationEngine | undefined {
    const engine = this.engines.get(version);
    if (engine) {
      this.engines.delete(version);
      this.engines.set(version, engine);
    }
    return engine;
  }

  private store(version: string, engine: ModerationEngine): void {
    this.engines.delete(version);
    this.engines.set(version, engine);
    while (this.engines.size > this.capacity) {
      const oldest = this.engines.keys().next().value as string;
      this.engines.delete(oldest);
    }
  }
}
