import { ModerationEngine } from './engine';
import { EngineCache } from './engine-cache';

const build = (version: string) => () =>
  ModerationEngine.build([{ term: '最佳', category: 'c', severity: 'low', action: 'flag' }], version);

describe('EngineCache', () => {
  it('builds a version once and returns the same engine afterwards', () => {
    const cache = new EngineCache();
    const builder = jest.fn(build('v1'));
    const first = cache.getOrBuild('v1', builder);
    expect(cache.getOrBuild('v1', builder)).toBe(first);
    expect(builder).toHaveBeenCalledTimes(1);
    expect(cache.has('v1')).toBe(true);
  });

  it('evicts the least recently used version beyond its capacity', () => {
    const cache = new EngineCache(2);
    cache.getOrBuild('v1', build('v1'));
    cache.getOrBuild('v2', build('v2'));
    cache.getOrBuild('v1', build('v1'));
    cache.getOrBuild('v3', build('v3'));
    expect(cache.size).toBe(2);
    expect(cache.has('v1')).toBe(true);
    expect(cache.has('v2')).toBe(false);
    expect(cache.peek('v3')?.version).toBe('v3');
  });

  it('shares one load between concurrent callers and does not cache failures', async () => {
    const cache = new EngineCache();
    const load = jest.fn(async () => build('v1')());
    const [a, b] = await Promise.all([cache.getOrLoad('v1', load), cache.getOrLoad('v1', load)]);
    expect(a).toBe(b);
    expect(load).toHaveBeenCalledTimes(1);

    await expect(cache.getOrLoad('v2', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect(cache.has('v2')).toBe(false);
    await expect(cache.getOrLoad('v2', async () => build('v2')())).resolves.toBeInstanceOf(ModerationEngine);
  });

  it('forgets versions on request and refuses a useless capacity', () => {
    const cache = new EngineCache();
    cache.getOrBuild('v1', build('v1'));
    expect(cache.delete('v1')).toBe(true);
    cache.getOrBuild('v2', build('v2'));
    cache.clear();
    expect(cache.size).toBe(0);
    expect(() => new EngineCache(0)).toThrow();
  });
});
