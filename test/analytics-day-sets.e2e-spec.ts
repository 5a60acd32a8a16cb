import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RollupJob } from '../src/modules/analytics/rollups/rollup.job';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg } from './support/org-fixtures';
import { insertAccount, insertAuthorization, insertAssignment } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SHANGHAI = 8 * HOUR;
const localDay = (at: number) => new Date(at + SHANGHAI).toISOString().slice(0, 10);

interface Event {
  at: number;
  person: string;
  signedIn: boolean;
  type: 'page_view' | 'click';
  channel: 'search' | 'social' | 'direct';
  account: number;
}

/**
 * The day sets (unfiltered traffic reports) against the person-days (filtered ones) and the raw
 * events: on random data, the unique visitors per day, per week and for the period must be the same
 * three ways; late events must update the sets at the next rollup run; an organization-wide reader who
 * may not read an account of the period gets the person-days answer.
 */
describe('analytics day sets', () => {
  let t: TestApp;
  const rollUp = () => t.get(RollupJob).run();

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** A brand with an owner and two accounts, the events ingested over HTTP and rolled up. */
  const setUp = async () => {
    const brand = await insertOrg(t, { kind: 'brand' });
    const owner = await makeUser(t);
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
    const accounts = [await insertAccount(t, brand), await insertAccount(t, brand)];
    return { brand, owner, accounts };
  };
  const ingest = async (brand: FixtureOrg, user: TestUser, accounts: string[], events: Event[]) => {
    for (let i = 0; i < events.length; i += 1000) {
      const res = await t
        .http()
        .post(`/api/v1/orgs/${brand.id}/events/batch`)
        .set(user.auth)
        .send({
          events: events.slice(i, i + 1000).map((e) => ({
            eventId: randomUUID(),
            type: e.type,
            occurredAt: new Date(e.at).toISOString(),
            ...(e.signedIn
              ? { userId: e.person, anonymousId: `device-${e.person}` }
              : { anonymousId: e.person }),
            channel: e.channel,
            deviceType: 'mobile',
            url: 'https://shop.example.com/',
            ...(e.account < 2 ? { socialAccountId: accounts[e.account] } : {}),
          })),
        });
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { refused: 0 } });
    }
  };
  const traffic = (brand: FixtureOrg, user: TestUser, query: Record<string, string>) =>
    t
      .http()
      .get(`/api/v1/orgs/${brand.id}/analytics/reports/traffic?${new URLSearchParams(query).toString()}`)
      .set(user.auth);
  /** Distinct persons of the person-days of a range (what the filtered path counts). */
  const personDays = async (orgId: string, from: string, to: string) =>
    Number(
      (
        await t.db.query(
          `SELECT count(DISTINCT person) AS n FROM analytics_person_days WHERE org_id = $1 AND day BETWEEN $2 AND $3`,
          [orgId, from, to],
        )
      )[0].n,
    );
  const isoWeek = (day: string) => {
    const d = new Date(`${day}T00:00:00Z`);
    const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
    return monday.toISOString().slice(0, 10);
  };

  const eventArb = (now: number) =>
    fc
      .record({
        ago: fc.integer({ min: 0, max: 20 * 24 * 60 - 1 }),
        person: fc.integer({ min: 0, max: 60 }),
        signedIn: fc.boolean(),
        type: fc.constantFrom('page_view' as const, 'click' as const),
        channel: fc.constantFrom('search' as const, 'social' as const, 'direct' as const),
        account: fc.integer({ min: 0, max: 2 }),
      })
      .map((r): Event => ({
        at: now - DAY - r.ago * 60_000,
        person: `${r.signedIn ? 'u' : 'a'}-${r.person}`,
        signedIn: r.signedIn,
        type: r.type,
        channel: r.channel,
        account: r.account,
      }));

  it('counts the same unique visitors from the day sets, the person-days and the raw events', async () => {
    const now = t.clock.now().getTime();
    const from = localDay(now - 21 * DAY);
    const to = localDay(now - DAY);
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb(now), { minLength: 1, maxLength: 300 }), async (events) => {
        const { brand, owner, accounts } = await setUp();
        await ingest(brand, owner, accounts, events);
        await rollUp();
        const persons = (list: Event[]) => new Set(list.map((e) => e.person)).size;

        const [byDay, byWeek] = await Promise.all([
          traffic(brand, owner, { from, to, interval: 'day' }),
          traffic(brand, owner, { from, to, interval: 'week' }),
        ]);
        expect(byDay.status).toBe(200);
        expect(byDay.body.totals.visitors).toBe(persons(events));
        expect(byDay.body.totals.visitors).toBe(await personDays(brand.id, from, to));
        expect(byDay.body.totals.pageViews).toBe(events.filter((e) => e.type === 'page_view').length);
        for (const item of byDay.body.items as { bucket: string; visitors: number }[]) {
          expect(item.visitors).toBe(persons(events.filter((e) => localDay(e.at) === item.bucket)));
        }
        for (const item of byWeek.body.items as { bucket: string; visitors: number }[]) {
          const week = events.filter((e) => isoWeek(localDay(e.at)) === item.bucket.slice(0, 10));
          expect(item.visitors).toBe(persons(week));
        }
        // The person-days path (a channel filter) agrees per channel with the raw events too.
        const search = await traffic(brand, owner, { from, to, channel: 'search' });
        expect(search.body.totals.visitors).toBe(persons(events.filter((e) => e.channel === 'search')));
      }),
      { numRuns: 12 },
    );
  });

  it('folds late events into the day sets: a new person, and a known person on a new day', async () => {
    const { brand, owner, accounts } = await setUp();
    const now = t.clock.now().getTime();
    const at = (daysAgo: number) => now - daysAgo * DAY - 2 * HOUR;
    const base: Event[] = [
      { at: at(5), person: 'u-1', signedIn: true, type: 'page_view', channel: 'search', account: 0 },
      { at: at(5), person: 'a-2', signedIn: false, type: 'page_view', channel: 'direct', account: 2 },
      { at: at(4), person: 'u-1', signedIn: true, type: 'click', channel: 'social', account: 1 },
    ];
    await ingest(brand, owner, accounts, base);
    await rollUp();
    const from = localDay(at(6));
    const to = localDay(at(1));
    const before = await traffic(brand, owner, { from, to });
    expect(before.body.totals.visitors).toBe(2);

    const late: Event[] = [
      { at: at(5), person: 'a-3', signedIn: false, type: 'page_view', channel: 'direct', account: 2 },
      { at: at(3), person: 'a-2', signedIn: false, type: 'page_view', channel: 'direct', account: 0 },
    ];
    await ingest(brand, owner, accounts, late);
    const stale = await traffic(brand, owner, { from, to });
    expect(stale.body.totals).toEqual(before.body.totals);
    await rollUp();
    const after = await traffic(brand, owner, { from, to, interval: 'day' });
    const all = [...base, ...late];
    expect(after.body.totals.visitors).toBe(3);
    expect(after.body.totals.pageViews).toBe(all.filter((e) => e.type === 'page_view').length);
    const day = (d: number) =>
      (after.body.items as { bucket: string; visitors: number }[]).find((i) => i.bucket === localDay(at(d)))!;
    expect(day(5).visitors).toBe(3);
    expect(day(3).visitors).toBe(1);
    const ordinals: { person: string; ordinal: number }[] = await t.db.query(
      `SELECT person, ordinal FROM analytics_persons WHERE org_id = $1 ORDER BY ordinal`,
      [brand.id],
    );
    expect(ordinals.map((o) => o.ordinal)).toEqual([0, 1, 2]);
    expect(new Set(ordinals.map((o) => o.person))).toEqual(new Set(['u-1', 'a-2', 'a-3']));
  });

  it('answers from the person-days when the reader may not read every account of the period', async () => {
    const { brand, accounts } = await setUp();
    const agency = await insertOrg(t, { kind: 'agency' });
    const agencyOwner = await makeUser(t);
    await insertMember(t, agency, agencyOwner.id, { grants: [{ role: 'owner' }] });
    await insertAuthorization(t, brand, agency, [accounts[0]], { scopes: ['analytics'] });
    const ending = await insertAuthorization(t, brand, agency, [accounts[1]], { scopes: ['analytics'] });
    await insertAssignment(t, agency, accounts[0]);
    await insertAssignment(t, agency, accounts[1]);
    const now = t.clock.now().getTime();
    const events: Event[] = [0, 1, 2].map((account, i) => ({
      at: now - 2 * DAY - i * HOUR,
      person: `a-${i}`,
      signedIn: false,
      type: 'page_view',
      channel: 'direct',
      account,
    }));
    // The agency ingests into its own organization, naming the brand's accounts.
    await ingest(agency, agencyOwner, accounts, events);
    await rollUp();
    const from = localDay(now - 3 * DAY);
    const to = localDay(now - DAY);
    const all = await traffic(agency, agencyOwner, { from, to });
    expect(all.body.totals.visitors).toBe(3);
    await t.db.query(`UPDATE account_authorizations SET status = 'revoked' WHERE id = $1`, [ending]);
    const res = await traffic(agency, agencyOwner, { from, to });
    expect(res.status).toBe(200);
    // Account 1's authorization ended: its person drops out; account 0 and no account remain.
    expect(res.body.totals.visitors).toBe(2);
    expect(res.body.totals.pageViews).toBe(2);
  });
});
