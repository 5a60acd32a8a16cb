import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as analytics } from '../src/cli/analytics';
import { FixtureOrg, insertOrg } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/**
 * `npm run analytics -- import FILE --org ID`: the NDJSON import from a file, for the organization as
 * a whole, into the same event store, with the same rules.
 */
describe('analytics CLI', () => {
  let t: TestApp;
  let agency: FixtureOrg;
  let brand: FixtureOrg;
  let dir: string;
  const output: string[] = [];
  const run = async (args: string[]) => {
    output.length = 0;
    const previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.databaseUrl;
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      return await analytics(args, (line) => output.push(line));
    } finally {
      stderr.mockRestore();
      if (previous === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previous;
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    agency = await insertOrg(t, { kind: 'agency' });
    dir = mkdtempSync(join(tmpdir(), 'daiyun-analytics-cli-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('imports a file for the organization, judging accounts as the organization may use them', async () => {
    const authorized = await insertAccount(t, brand);
    const publishOnly = await insertAccount(t, brand);
    await insertAuthorization(t, brand, agency, [authorized], { scopes: ['analytics'] });
    await insertAuthorization(t, brand, agency, [publishOnly], { scopes: ['publish'] });
    await insertAssignment(t, agency, authorized);
    await insertAssignment(t, agency, publishOnly);
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const event = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        eventId: randomUUID(),
        type: 'page_view',
        occurredAt: at,
        anonymousId: 'a',
        ...extra,
      });
    const repeated = event();
    const file = join(dir, 'events.ndjson');
    writeFileSync(
      file,
      [
        event(),
        repeated,
        repeated,
        event({ socialAccountId: authorized }),
        event({ socialAccountId: publishOnly }),
        'not json',
      ].join('\n'),
    );

    expect(await run(['import', file, '--org', agency.id])).toBe(0);
    const result = JSON.parse(output.join('\n')) as Record<string, unknown>;
    expect(result).toEqual({
      stored: 3,
      duplicates: 1,
      refused: 2,
      firstRefusals: [
        { line: 5, field: 'socialAccountId', message: expect.any(String) },
        { line: 6, field: '', message: 'the line is not valid JSON' },
      ],
    });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM analytics_events WHERE org_id = $1`, [
      agency.id,
    ]);
    expect(n).toBe(3);

    // Again: everything stored is a duplicate now.
    expect(await run(['import', file, '--org', agency.id])).toBe(0);
    expect(JSON.parse(output.join('\n'))).toMatchObject({ stored: 0, duplicates: 4, refused: 2 });
  });

  it('refuses bad usage and an unknown organization', async () => {
    expect(await run(['import', join(dir, 'missing.ndjson'), '--org', agency.id])).toBe(2);
    expect(await run(['import', '--org', agency.id])).toBe(2);
    writeFileSync(join(dir, 'one.ndjson'), '');
    expect(await run(['import', join(dir, 'one.ndjson'), '--org', 'nope'])).toBe(2);
    expect(await run(['import', join(dir, 'one.ndjson'), '--org', randomUUID()])).toBe(1);
    expect(output[0]).toContain('No organization');
    expect(await run(['export'])).toBe(2);
  });
});
