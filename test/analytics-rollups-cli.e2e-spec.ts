import { randomUUID } from 'node:crypto';
import { main as analytics } from '../src/cli/analytics';
import { EventPartitions } from '../src/modules/analytics/event-partitions';
import { FixtureOrg, insertOrg } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/** `npm run analytics -- rebuild-rollups --org ID --from --to`: the rebuild in the CLI's own process. */
describe('analytics CLI: rebuild-rollups', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let other: FixtureOrg;
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
  const day = (n: number) =>
    new Date(t.clock.now().getTime() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);
  const rolled = async (org: FixtureOrg) => {
    const rows: { day: string; page_views: string }[] = await t.db.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(page_views) AS page_views FROM analytics_rollup_days
        WHERE org_id = $1 GROUP BY day ORDER BY day`,
      [org.id],
    );
    return rows.map((r) => ({ day: r.day, pageViews: Number(r.page_views) }));
  };

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    other = await insertOrg(t, { kind: 'brand' });
  });
  afterAll(() => t.close());

  it('recomputes the days of the range from the raw events, recording the rebuild', async () => {
    // Three page views on day -3 and one on day -2 loaded straight into the table (as a bulk load would),
    // one of the other organization beside them.
    const rows: [FixtureOrg, number][] = [
      [brand, 3],
      [brand, 3],
      [brand, 3],
      [brand, 2],
      [other, 3],
    ];
    for (const [org, ago] of rows) {
      const at = new Date(`${day(ago)}T10:00:00+08:00`);
      await t.get(EventPartitions).ensure([at]);
      await t.db.query(
        `INSERT INTO analytics_events (org_id, event_id, occurred_at, received_at, type, anonymous_id, channel, properties)
         VALUES ($1, $2, $3, $3, 'page_view', 'p-1', 'direct', '{}')`,
        [org.id, randomUUID(), at],
      );
    }
    expect(await rolled(brand)).toEqual([]);
    const code = await run(['rebuild-rollups', '--org', brand.id, '--from', day(4), '--to', day(2)]);
    expect({ code, output }).toMatchObject({ code: 0 });
    const result = JSON.parse(output.join('\n'));
    expect(result).toMatchObject({ status: 'done', daysTotal: 3, daysDone: 3, from: day(4), to: day(2) });
    expect(await rolled(brand)).toEqual([
      { day: day(3), pageViews: 3 },
      { day: day(2), pageViews: 1 },
    ]);
    expect(await rolled(other)).toEqual([]);
    const [{ status }] = await t.db.query(`SELECT status FROM analytics_rollup_rebuilds WHERE id = $1`, [
      result.id,
    ]);
    expect(status).toBe('done');
  });

  it('refuses bad arguments with the usage', async () => {
    expect(await run(['rebuild-rollups', '--org', 'nope', '--from', day(2), '--to', day(1)])).toBe(2);
    expect(output.join('\n')).toMatch(/--org must be/);
    expect(await run(['rebuild-rollups', '--org', brand.id, '--from', '2026-13-01', '--to', day(1)])).toBe(2);
    expect(await run(['rebuild-rollups', '--org', brand.id, '--from', day(1), '--to', day(2)])).toBe(2);
    expect(output.join('\n')).toMatch(/to must not be before from/);
    expect(await run(['rebuild-rollups', '--org', randomUUID(), '--from', day(2), '--to', day(1)])).toBe(1);
  });
});
