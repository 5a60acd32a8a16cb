import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { BehaviourQueries, RetentionSource } from '../src/modules/analytics/behaviour/behaviour-queries';
import { retentionPeriods } from '../src/modules/analytics/behaviour/behaviour-reports.service';
import { AnalyticsFiltersDto, EventSelection } from '../src/modules/analytics/report-scope';
import { RollupJob } from '../src/modules/analytics/rollups/rollup.job';
import { periodBuckets, resolveReportPeriod } from '../src/platform/reports';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { insertAccount } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const HOUR = 3_600_000;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Generated {
  eventId: string;
  at: number;
  person: string;
  userId?: string;
  anonymousId: string;
  account: string | null;
  channel: string;
  deviceType: string;
  campaignId?: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
}

type Filter = Partial<Record<'channel' | 'deviceType' | 'campaignId' | 'utmSource' | 'utmMedium', string>>;

const CHANNELS = ['search', 'social', 'direct', 'ad', 'email'] as const;
const DEVICES = ['mobile', 'desktop', 'tablet'] as const;

/**
 * Retention read from the person-days rollup equals retention read from the raw events: on generated
 * data (dimensions varied per event, events near local midnight, two time zones), for every filter the
 * report takes and for scoped readers; the report falls back to the raw events while dirty hour marks
 * touch its range (a late event counts at once), then reads the rollup once the job folded them in.
 * Expected numbers are computed here from the generated events.
 */
describe('analytics retention: person-days rollup and raw events agree', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let zoned: FixtureOrg;
  let other: FixtureOrg;
  let owner: TestUser;
  let analyst: TestUser;
  let shopAnalyst: TestUser;
  let viewer: TestUser;
  let zonedOwner: TestUser;
  let otherOwner: TestUser;
  let rootAccount: string;
  let shopAccount: string;
  const campaigns = [randomUUID(), randomUUID()];
  const generated = new Map<string, Generated[]>();
  const zones = new Map<string, string>();
  let from: string;
  let to: string;

  const localDay = (orgId: string, at: number) =>
    DateTime.fromMillis(at, { zone: zones.get(orgId)! }).toISODate()!;
  const mondayOf = (day: string) => DateTime.fromISO(day, { zone: 'UTC' }).startOf('week').toISODate()!;
  const daysFromTo = () => {
    const list: string[] = [];
    for (let d = DateTime.fromISO(from, { zone: 'UTC' }); d.toISODate()! <= to; d = d.plus({ days: 1 })) {
      list.push(d.toISODate()!);
    }
    return list;
  };

  /** The documented rule, from the generated events: cohort = first period active, active[n] per period. */
  const expected = (orgId: string, interval: 'day' | 'week', keep: (e: Generated) => boolean) => {
    const labels = interval === 'day' ? daysFromTo() : [...new Set(daysFromTo().map(mondayOf))];
    const active = new Map<string, Set<number>>();
    for (const e of generated.get(orgId)!) {
      const day = localDay(orgId, e.at);
      if (day < from || day > to || !keep(e)) continue;
      const b = labels.indexOf(interval === 'day' ? day : mondayOf(day));
      active.set(e.person, (active.get(e.person) ?? new Set()).add(b));
    }
    const cohorts = labels.map((_, i) => new Array<number>(labels.length - i).fill(0));
    for (const periods of active.values()) {
      const first = Math.min(...periods);
      for (const p of periods) cohorts[first][p - first] += 1;
    }
    return labels.map((cohort, i) => ({
      cohort,
      persons: cohorts[i][0],
      active: cohorts[i],
      rates: cohorts[i].map((n) =>
        cohorts[i][0] === 0 ? null : Math.round((n / cohorts[i][0]) * 10_000) / 10_000,
      ),
    }));
  };

  const matchesFilter = (filter: Filter) => (e: Generated) =>
    Object.entries(filter).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v);

  const retention = (user: TestUser, org: FixtureOrg, query: Record<string, string>) =>
    t
      .http()
      .get(`/api/v1/orgs/${org.id}/analytics/reports/retention`)
      .query({ from, to, ...query })
      .set(user.auth);

  const generate = (orgId: string, accounts: (string | null)[], seed: number, people: number) => {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const now = t.clock.now().getTime();
    const list: Generated[] = [];
    for (let p = 0; p < people; p += 1) {
      const userId = random() < 0.5 ? `user-${p}` : undefined;
      const anonymousId = `anon-${p}`;
      const visits = 1 + Math.floor(random() * 6);
      for (let v = 0; v < visits; v += 1) {
        // Any time in the last 24 days, a third of them within minutes of a local midnight.
        let at = now - Math.floor(random() * 24 * DAY);
        if (random() < 0.33) {
          const midnight = DateTime.fromMillis(at, { zone: zones.get(orgId)! })
            .startOf('day')
            .toMillis();
          at = midnight + Math.floor((random() - 0.5) * 20 * 60_000);
        }
        // One visit's events may differ in every dimension (a person on two channels in one day).
        for (let n = 1 + Math.floor(random() * 3); n > 0; n -= 1) {
          const channel = pick(CHANNELS);
          list.push({
            eventId: randomUUID(),
            at: Math.min(at, now - 1000),
            person: userId ?? anonymousId,
            userId,
            anonymousId,
            account: pick(accounts),
            channel,
            deviceType: pick(DEVICES),
            ...(random() < 0.4 ? { campaignId: pick(campaigns) } : {}),
            ...(channel === 'ad'
              ? { utmSource: pick(['douyin', 'baidu']), utmMedium: pick(['cpc', 'feed']), utmCampaign: 'w49' }
              : {}),
          });
          at += Math.floor(random() * 40 * 60_000);
        }
      }
    }
    return list;
  };

  const ingest = async (org: FixtureOrg, user: TestUser, list: Generated[]) => {
    const body = list.map((e) => ({
      eventId: e.eventId,
      type: 'page_view',
      path: '/',
      occurredAt: new Date(e.at).toISOString(),
      ...(e.userId ? { userId: e.userId } : {}),
      anonymousId: e.anonymousId,
      ...(e.account ? { socialAccountId: e.account } : {}),
      channel: e.channel,
      deviceType: e.deviceType,
      ...(e.campaignId ? { campaignId: e.campaignId } : {}),
      ...(e.utmSource ? { utmSource: e.utmSource, utmMedium: e.utmMedium, utmCampaign: e.utmCampaign } : {}),
    }));
    for (let i = 0; i < body.length; i += 1_000) {
      const answer = await t
        .http()
        .post(`/api/v1/orgs/${org.id}/events/batch`)
        .set(user.auth)
        .send({ events: body.slice(i, i + 1_000) })
        .expect(200);
      expect(answer.body.refused).toBe(0);
    }
    generated.set(org.id, [...(generated.get(org.id) ?? []), ...list]);
  };

  /** Both sources through the queries, for an organization-wide selection with `filters`. */
  const bothSources = async (orgId: string, interval: 'day' | 'week', selection: EventSelection) => {
    const period = resolveReportPeriod({ from, to }, zones.get(orgId)!, t.clock.now());
    const periods = retentionPeriods(period, periodBuckets(period, interval));
    const queries = t.get(BehaviourQueries);
    const sorted = async (source: RetentionSource) =>
      (await queries.retentionFrom(source, selection, period, periods)).sort(
        (a, b) => a.cohort - b.cohort || a.period - b.period,
      );
    return { events: await sorted('events'), personDays: await sorted('person_days'), period, periods };
  };

  const sourceOf = async (orgId: string) => {
    const period = resolveReportPeriod({ from, to }, zones.get(orgId)!, t.clock.now());
    const periods = retentionPeriods(period, periodBuckets(period, 'day'));
    const answer = await t
      .get(BehaviourQueries)
      .retention(new EventSelection(orgId, [], true, {}), period, periods);
    return answer.source;
  };

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    zoned = await insertOrg(t, { kind: 'brand' });
    other = await insertOrg(t, { kind: 'brand' });
    await t.db.query(`UPDATE organizations SET time_zone = 'America/New_York' WHERE id = $1`, [zoned.id]);
    zones.set(brand.id, 'Asia/Shanghai');
    zones.set(zoned.id, 'America/New_York');
    zones.set(other.id, 'Asia/Shanghai');
    const shop = await insertUnit(t, brand, brand.rootUnitId, 'Shop');
    [owner, analyst, shopAnalyst, viewer, zonedOwner, otherOwner] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, analyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, brand, shopAnalyst.id, {
      unitId: shop,
      grants: [{ role: 'analyst', unitId: shop, scope: 'subtree' }],
    });
    await insertMember(t, brand, viewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, zoned, zonedOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, other, otherOwner.id, { grants: [{ role: 'owner' }] });
    rootAccount = await insertAccount(t, brand);
    shopAccount = await insertAccount(t, brand, { unitId: shop });

    const now = t.clock.now().getTime();
    to = DateTime.fromMillis(now, { zone: 'Asia/Shanghai' }).toISODate()!;
    from = DateTime.fromMillis(now - 20 * DAY, { zone: 'Asia/Shanghai' }).toISODate()!;
    await ingest(brand, owner, generate(brand.id, [rootAccount, shopAccount, null], 2026, 120));
    await ingest(zoned, zonedOwner, generate(zoned.id, [null], 4049, 60));
  });
  afterAll(() => t.close());

  it('reads the raw events while dirty hours touch the range, with the documented numbers', async () => {
    expect(await sourceOf(brand.id)).toBe('events');
    const answer = await retention(analyst, brand, { interval: 'day' }).expect(200);
    expect(answer.body.cohorts).toEqual(expected(brand.id, 'day', () => true));
  });

  it('reads the person-days once the rollup job folded the marks in, with the same numbers', async () => {
    await t.get(RollupJob).run();
    expect(await sourceOf(brand.id)).toBe('person_days');
    expect(await sourceOf(zoned.id)).toBe('person_days');
    for (const interval of ['day', 'week'] as const) {
      const answer = await retention(analyst, brand, { interval }).expect(200);
      expect(answer.body.cohorts).toEqual(expected(brand.id, interval, () => true));
      const zonedAnswer = await retention(zonedOwner, zoned, { interval }).expect(200);
      expect(zonedAnswer.body.timeZone).toBe('America/New_York');
      expect(zonedAnswer.body.cohorts).toEqual(expected(zoned.id, interval, () => true));
    }
  });

  it('agrees with the raw events for every filter, over the endpoint and the queries', async () => {
    const filters: Filter[] = [
      {},
      { channel: 'ad' },
      { channel: 'search' },
      { deviceType: 'desktop' },
      { campaignId: campaigns[0] },
      { utmSource: 'douyin' },
      { utmMedium: 'feed' },
      { channel: 'ad', deviceType: 'mobile', utmSource: 'baidu' },
    ];
    for (const filter of filters) {
      for (const interval of ['day', 'week'] as const) {
        const answer = await retention(analyst, brand, { interval, ...filter }).expect(200);
        expect(answer.body.cohorts).toEqual(expected(brand.id, interval, matchesFilter(filter)));
        for (const org of [brand, zoned]) {
          const accounts = org === brand ? [rootAccount, shopAccount] : [];
          for (const [ids, unattributed] of [
            [accounts, true],
            [org === brand ? [shopAccount] : [], false],
          ] as const) {
            const selection = new EventSelection(org.id, ids, unattributed, filter as AnalyticsFiltersDto);
            const { events, personDays } = await bothSources(org.id, interval, selection);
            expect(personDays).toEqual(events);
          }
        }
      }
    }
    const { events } = await bothSources(brand.id, 'day', new EventSelection(brand.id, [], true, {}));
    expect(events.length).toBeGreaterThan(20);
  });

  it("shows a unit-scoped analyst only its accounts' people from the rollup", async () => {
    expect(await sourceOf(brand.id)).toBe('person_days');
    const answer = await retention(shopAnalyst, brand, { interval: 'week' }).expect(200);
    expect(answer.body.cohorts).toEqual(expected(brand.id, 'week', (e) => e.account === shopAccount));
    await retention(shopAnalyst, brand, { socialAccountId: rootAccount }).expect(404);
    const own = await retention(analyst, brand, { socialAccountId: rootAccount }).expect(200);
    expect(own.body.cohorts).toEqual(expected(brand.id, 'day', (e) => e.account === rootAccount));
  });

  it('refuses the wrong role, another tenant and bad input on the rollup path', async () => {
    await retention(viewer, brand, {}).expect(403);
    await retention(otherOwner, brand, {}).expect(404);
    for (const [query, field] of [
      [{ channel: 'fax' }, 'channel'],
      [{ campaignId: 'nope' }, 'campaignId'],
      [{ deviceType: 'watch' }, 'deviceType'],
    ] as const) {
      const answer = await retention(analyst, brand, query).expect(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('counts a late event at once (raw path) and again after the fold (rollup path)', async () => {
    const at = t.clock.now().getTime() - 15 * DAY - 3 * HOUR;
    await ingest(brand, owner, [
      {
        eventId: randomUUID(),
        at,
        person: 'late-person',
        anonymousId: 'late-person',
        account: null,
        channel: 'email',
        deviceType: 'tablet',
      },
    ]);
    expect(await sourceOf(brand.id)).toBe('events');
    const raw = await retention(analyst, brand, { interval: 'day' }).expect(200);
    expect(raw.body.cohorts).toEqual(expected(brand.id, 'day', () => true));
    await t.get(RollupJob).run();
    expect(await sourceOf(brand.id)).toBe('person_days');
    const rolled = await retention(analyst, brand, { interval: 'day' }).expect(200);
    expect(rolled.body.cohorts).toEqual(raw.body.cohorts);
  });

  it('does not look at dirty marks of another organization or outside the range', async () => {
    await t.db.query(`INSERT INTO analytics_rollup_dirty (org_id, hour) VALUES ($1, $2), ($3, $4)`, [
      other.id,
      new Date(t.clock.now().getTime() - 2 * DAY),
      brand.id,
      new Date(DateTime.fromISO(from, { zone: 'Asia/Shanghai' }).toMillis() - 2 * HOUR),
    ]);
    expect(await sourceOf(brand.id)).toBe('person_days');
    // The hour that ends at the range's start touches nothing; the one that straddles it does.
    await t.db.query(`INSERT INTO analytics_rollup_dirty (org_id, hour) VALUES ($1, $2)`, [
      brand.id,
      new Date(DateTime.fromISO(from, { zone: 'Asia/Shanghai' }).toMillis() - HOUR / 2),
    ]);
    expect(await sourceOf(brand.id)).toBe('events');
    await t.db.query(`DELETE FROM analytics_rollup_dirty WHERE org_id IN ($1, $2)`, [brand.id, other.id]);
  });
});
