import { DataSource } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { Environment } from '../../platform/config/config.schema';
import { LexiconEngines } from './lexicon-engines';
import { PlatformLexiconSeeder } from './platform-lexicon-seeder';

const word = (term: string) => ({
  id: `id-${term}`,
  term,
  category: 'test',
  severity: 'medium',
  action: 'review',
  allow_phrases: [],
  hint: null,
});

/** A database stand-in: versions from `versions`, words per lexicon from `words`, reads counted. */
function setup(options: { checkIntervalMs?: number } = {}) {
  const versions = { platform: '1', org: '1', absolute: null as string | null };
  const words = { platform: [word('赌博')], org: [word('暗号')] };
  const versionReads = jest.fn();
  const wordReads = jest.fn();
  const query = async (sql: string, parameters: unknown[]) => {
    if (sql.includes('FROM sensitive_words')) {
      wordReads();
      return parameters[0] === '00000000-0000-0000-0000-000000000000' ? words.platform : words.org;
    }
    versionReads();
    return [
      {
        platform_version: versions.platform,
        org_version: versions.org,
        absolute_terms_action: versions.absolute,
      },
    ];
  };
  const dataSource = { manager: { query } } as unknown as DataSource;
  const seeder = { ensureSeeded: jest.fn(async () => undefined) } as unknown as PlatformLexiconSeeder;
  const config = new AppConfig({
    MODERATION_VERSION_CHECK_MS: options.checkIntervalMs ?? 60_000,
    MODERATION_ENGINE_CACHE_SIZE: 4,
  } as Environment);
  return {
    engines: new LexiconEngines(dataSource, seeder, config),
    versions,
    words,
    versionReads,
    wordReads,
  };
}

describe('LexiconEngines', () => {
  it('reads versions once and builds each lexicon once for concurrent scans', async () => {
    const { engines, versionReads, wordReads } = setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => engines.current('org-1')));
    expect(versionReads).toHaveBeenCalledTimes(1);
    expect(wordReads).toHaveBeenCalledTimes(2);
    expect(new Set(results.map((r) => r.platform)).size).toBe(1);
    expect(results[0].platform.scan('来赌博')).toHaveLength(1);
    expect(results[0].organization?.scan('暗号')).toHaveLength(1);
  });

  it('does not ask the database again within the check interval', async () => {
    const { engines, versionReads } = setup();
    await engines.current('org-1');
    await engines.current('org-1');
    await engines.current(null);
    expect(versionReads).toHaveBeenCalledTimes(2);
  });

  it('asks again once the interval has passed, and rebuilds only the lexicon whose version moved', async () => {
    const { engines, versions, words, versionReads, wordReads } = setup({ checkIntervalMs: 0 });
    const first = await engines.current('org-1');
    words.org = [word('暗号'), word('新词')];
    versions.org = '2';
    const second = await engines.current('org-1');
    expect(versionReads).toHaveBeenCalledTimes(2);
    expect(wordReads).toHaveBeenCalledTimes(3);
    expect(second.platform).toBe(first.platform);
    expect(second.organization).not.toBe(first.organization);
    expect(second.organization?.scan('新词')).toHaveLength(1);
  });

  it('sees a local change at once after invalidate', async () => {
    const { engines, versions, versionReads } = setup();
    await engines.current('org-1');
    versions.absolute = 'block';
    engines.invalidate('org-1');
    expect((await engines.current('org-1')).state.absoluteTermsAction).toBe('block');
    expect(versionReads).toHaveBeenCalledTimes(2);
  });

  it('builds no organization engine for an organization without words', async () => {
    const { engines, versions, wordReads } = setup();
    versions.org = '0';
    expect((await engines.current('org-2')).organization).toBeNull();
    expect(wordReads).toHaveBeenCalledTimes(1);
  });
});
