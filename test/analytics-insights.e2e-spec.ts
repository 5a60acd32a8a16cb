import { randomUUID } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { GoalsService } from '../src/modules/analytics/insights/goals.service';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
/** 12:00 in Shanghai: every "day ago" below is a whole Shanghai day away from the test clock. */
const NOW = new Date('2026-11-20T04:00:00.000Z');
const WEEK = [0, 30, 45, 35, 10, -40, -60];

/** A deterministic pseudo-random stream (mulberry32). */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const sampleStd = (values: number[]) => {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
};

interface Generated {
  person: string;
  type: string;
  daysAgo: number;
  deviceType: string;
  channel: string;
  properties: Record<string, unknown>;
  socialAccountId?: string;
}

/**
 * Audience, analytics segments, forecasts and optimization goals over HTTP, on data generated here,
 * with every expected number computed by the test from what it generated.
 */
describe('analytics insights: audience, segments, forecast, optimization goals', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let otherBrand: FixtureOrg;
  let owner: TestUser;
  let analyst: TestUser;
  let shopAnalyst: TestUser;
  let viewer: TestUser;
  let otherOwner: TestUser;
  let agency: FixtureOrg;
  let agencyAnalyst: TestUser;
  let rootAccount: string;
  let shopAccount: string;
  let seasonalAccount: string;
  let stepAccount: string;
  /** Plays per day of `stepAccount`, index i = i + 1 days ago. */
  const stepPlays = new Map<number, number>();
  const seasonalPlays = new Map<number, number>();
  const generated: Generated[] = [];

  const base = (org: FixtureOrg) => `/api/v1/orgs/${org.id}/analytics`;
  const dayAgo = (n: number) => new Date(NOW.getTime() + 8 * 3_600_000 - n * DAY).toISOString().slice(0, 10);
  const importPlays = async (accountId: string, values: Map<number, number>) => {
    const days = [...values].map(([ago, plays]) => ({
      day: dayAgo(ago),
      followers: 1000,
      plays,
      avgPlayTimeMs: 10_000,
      completionRateBp: 3000,
      likes: 1,
      comments: 1,
      shares: 1,
    }));
    await t
      .http()
      .post(`/api/v1/orgs/${brand.id}/social-accounts/${accountId}/daily-metrics`)
      .set(owner.auth)
      .send({ days })
      .expect(200);
  };

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    otherBrand = await insertOrg(t, { kind: 'brand' });
    const shop = await insertUnit(t, brand, brand.rootUnitId, 'Shop');
    [owner, analyst, shopAnalyst, viewer, otherOwner, agencyAnalyst] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    agency = await insertOrg(t, { kind: 'agency' });
    // Sessions are made at the real time; the domain clock then stands at a fixed noon in Shanghai.
    t.clock.set(NOW);
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, analyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, brand, shopAnalyst.id, {
      unitId: shop,
      grants: [{ role: 'analyst', unitId: shop, scope: 'subtree' }],
    });
    await insertMember(t, brand, viewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, otherBrand, otherOwner.id, { grants: [{ role: 'owner' }] });
    rootAccount = await insertAccount(t, brand);
    shopAccount = await insertAccount(t, brand, { unitId: shop });
    seasonalAccount = await insertAccount(t, brand);
    stepAccount = await insertAccount(t, brand);
    // The agency reads the brand's seasonal and step accounts' analytics for 10 more days.
    await insertMember(t, agency, agencyAnalyst.id, { grants: [{ role: 'analyst' }] });
    await insertAuthorization(t, brand, agency, [seasonalAccount, stepAccount], {
      scopes: ['analytics'],
      validUntil: new Date(NOW.getTime() + 10 * DAY),
    });
    await insertAssignment(t, agency, seasonalAccount);
    await insertAssignment(t, agency, stepAccount);

    // A weekly series with a slow trend and noise: 84 days up to yesterday.
    const nextSeasonal = random(11);
    for (let ago = 84; ago >= 1; ago--) {
      const i = 84 - ago;
      seasonalPlays.set(ago, Math.round(500 + 1.5 * i + WEEK[i % 7] + (nextSeasonal() - 0.5) * 20));
    }
    await importPlays(seasonalAccount, seasonalPlays);

    // A series that steps up by 60 plays a day from 20 days ago (the optimization), with weekly shape.
    const nextStep = random(5);
    for (let ago = 59; ago >= 1; ago--) {
      const i = 59 - ago;
      stepPlays.set(ago, Math.round(200 + WEEK[i % 7] / 3 + (nextStep() - 0.5) * 10 + (ago <= 20 ? 60 : 0)));
    }
    await importPlays(stepAccount, stepPlays);

    // People and their events over the last 12 days, some on the shop's account, some on no account.
    const next = random(3);
    const devices = ['mobile', 'desktop', 'tablet'];
    const channels = ['search', 'social', 'direct'];
    const regions = ['Beijing', 'Shanghai', 'Guangdong'];
    const interests = [['food'], ['travel', 'food'], ['tech']];
    for (let p = 0; p < 30; p++) {
      const person = `person-${p}`;
      const accountChoice = p % 3 === 0 ? shopAccount : p % 3 === 1 ? rootAccount : undefined;
      const count = 1 + Math.floor(next() * 6);
      for (let k = 0; k < count; k++) {
        const types = ['page_view', 'page_view', 'purchase', 'click'];
        generated.push({
          person,
          type: types[Math.floor(next() * types.length)],
          daysAgo: Math.floor(next() * 12),
          deviceType: devices[(p + k) % 3],
          channel: channels[p % 3],
          properties: {
            plan: p % 4 === 0 ? 'pro' : 'free',
            region: regions[p % 3],
            ...(p % 5 === 0 ? {} : { interests: interests[p % 3] }),
          },
          socialAccountId: accountChoice,
        });
      }
    }
    const events = generated.map((g, i) => ({
      eventId: randomUUID(),
      type: g.type,
      occurredAt: new Date(NOW.getTime() - g.daysAgo * DAY - (i % 50) * 60_000 - 3_600_000).toISOString(),
      userId: g.person,
      sessionId: `${g.person}-${g.daysAgo}`,
      deviceType: g.deviceType,
      channel: g.channel,
      properties: g.properties,
      ...(g.type === 'purchase' ? { amount: 1000 } : {}),
      ...(g.socialAccountId ? { socialAccountId: g.socialAccountId } : {}),
    }));
    const stored = await t
      .http()
      .post(`/api/v1/orgs/${brand.id}/events/batch?atomic=true`)
      .set(owner.auth)
      .send({ events })
      .expect(200);
    expect(stored.body.stored).toBe(events.length);
  });
  afterAll(() => t.close());

  describe('forecast', () => {
    it('recovers the weekly period and puts most held-out days inside the interval', async () => {
      const held = 14;
      const res = await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({
          metric: 'plays',
          days: held,
          socialAccountId: seasonalAccount,
          from: dayAgo(84),
          to: dayAgo(held + 1),
        })
        .set(analyst.auth)
        .expect(200);
      expect(res.body).toMatchObject({ metric: 'plays', model: 'holt_winters_additive', detectedPeriod: 7 });
      expect(res.body.history).toHaveLength(84 - held);
      expect(res.body.history[0]).toMatchObject({ day: dayAgo(84), value: seasonalPlays.get(84) });
      expect(res.body.forecast).toHaveLength(held);
      const inside = res.body.forecast.filter(
        (f: { day: string; lower: number; upper: number }, i: number) => {
          const actual = seasonalPlays.get(held - i)!;
          expect(f.day).toBe(dayAgo(held - i));
          return actual >= f.lower && actual <= f.upper;
        },
      ).length;
      expect(inside / held).toBeGreaterThanOrEqual(0.8);
      // The forecast keeps the weekly shape: the weekday lowest in the generator is lowest in the forecast.
      const week = res.body.forecast.slice(0, 7).map((f: { value: number }) => f.value);
      const generatorDay = (ago: number) => (84 - ago) % 7;
      const lowest = week.indexOf(Math.min(...week));
      expect(WEEK[generatorDay(held - lowest)]).toBe(Math.min(...WEEK));
    });

    it('flags a spike as an anomaly', async () => {
      const spiked = new Map(seasonalPlays);
      spiked.set(30, seasonalPlays.get(30)! + 2000);
      await importPlays(seasonalAccount, new Map([[30, spiked.get(30)!]]));
      const res = await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ metric: 'plays', socialAccountId: seasonalAccount, from: dayAgo(84), to: dayAgo(1) })
        .set(analyst.auth)
        .expect(200);
      const day = res.body.history.find((h: { day: string }) => h.day === dayAgo(30));
      expect(day.anomaly).toBe(true);
      expect(res.body.anomalies).toBeGreaterThanOrEqual(1);
      await importPlays(seasonalAccount, new Map([[30, seasonalPlays.get(30)!]]));
    });

    it('answers CSV and an SVG chart naming its series', async () => {
      const query = { metric: 'plays', socialAccountId: seasonalAccount, days: 7 };
      const csv = await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ ...query, format: 'csv' })
        .set(analyst.auth)
        .expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe('day,actual,fitted,forecast,lower,upper,anomaly');
      expect(lines).toHaveLength(1 + 56 + 7);
      const svg = await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ ...query, format: 'svg' })
        .set(analyst.auth)
        .expect(200);
      const text = svg.body instanceof Buffer ? svg.body.toString('utf8') : svg.text;
      expect(XMLValidator.validate(text)).toBe(true);
      expect(new XMLParser().parse(text)).toHaveProperty('svg');
      expect(text).toContain('Forecast (plays)');
    });

    it('counts daily page views from events', async () => {
      const res = await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ metric: 'page_views', from: dayAgo(11), to: dayAgo(0) })
        .set(analyst.auth)
        .expect(200);
      const expected = Array.from({ length: 12 }, (_, i) => {
        const ago = 11 - i;
        // Events were placed 1 to ~2 hours before 12:00 Shanghai on their day: the same local day.
        return generated.filter((g) => g.type === 'page_view' && g.daysAgo === ago).length;
      });
      expect(res.body.history.map((h: { value: number }) => h.value)).toEqual(expected);
      expect(res.body.model).toBe('holt_linear');
    });

    it('refuses an unknown metric, a bad horizon, a filter the metric cannot take, a short history', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ metric: 'nope' }, 'metric'],
        [{}, 'metric'],
        [{ metric: 'plays', days: 0 }, 'days'],
        [{ metric: 'plays', days: 91 }, 'days'],
        [{ metric: 'plays', channel: 'search' }, 'channel'],
        [{ metric: 'plays', from: dayAgo(5), to: dayAgo(1) }, 'from'],
        [{ metric: 'plays', from: dayAgo(1), to: dayAgo(5) }, 'to'],
        [{ metric: 'plays', format: 'pdf' }, 'format'],
      ];
      for (const [query, field] of cases) {
        const res = await t
          .http()
          .get(`${base(brand)}/reports/forecast`)
          .query(query)
          .set(analyst.auth)
          .expect(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('is scoped: the shop analyst does not reach another unit’s account, other tenants get 404, viewers 403', async () => {
      await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ metric: 'plays', socialAccountId: seasonalAccount })
        .set(shopAnalyst.auth)
        .expect(404);
      await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ metric: 'plays' })
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ metric: 'plays' })
        .set(viewer.auth)
        .expect(403);
      // The shop analyst's org-wide plays are its own account's only (none imported): all zeros.
      const own = await t
        .http()
        .get(`${base(brand)}/reports/forecast`)
        .query({ metric: 'plays' })
        .set(shopAnalyst.auth)
        .expect(200);
      expect(own.body.history.every((h: { value: number }) => h.value === 0)).toBe(true);
    });
  });

  describe('an agency', () => {
    it('reads an authorized account’s forecast and goals only while the authorization lasts', async () => {
      const query = { metric: 'plays', socialAccountId: seasonalAccount, from: dayAgo(56), to: dayAgo(1) };
      const [forBrand, forAgency] = await Promise.all(
        [
          [brand, analyst],
          [agency, agencyAnalyst],
        ].map(([org, user]) =>
          t
            .http()
            .get(`${base(org as FixtureOrg)}/reports/forecast`)
            .query(query)
            .set((user as TestUser).auth)
            .expect(200),
        ),
      );
      expect(forAgency.body.history).toEqual(forBrand.body.history);
      const goal = await t
        .http()
        .post(`${base(agency)}/optimization-goals`)
        .set(agencyAnalyst.auth)
        .send({
          name: 'Agency plays',
          metric: 'plays',
          baselineFrom: dayAgo(59),
          baselineTo: dayAgo(32),
          targetValue: 300,
          deadline: new Date(NOW.getTime() + 30 * DAY).toISOString(),
        })
        .expect(201);
      // Both authorized accounts are measured: the mean is over their summed plays.
      const summed: number[] = [];
      for (let ago = 59; ago >= 32; ago--)
        summed.push((seasonalPlays.get(ago) ?? 0) + (stepPlays.get(ago) ?? 0));
      expect(goal.body.baseline.mean).toBeCloseTo(mean(summed), 3);
      try {
        t.clock.set(new Date(NOW.getTime() + 11 * DAY));
        await t
          .http()
          .get(`${base(agency)}/reports/forecast`)
          .query(query)
          .set(agencyAnalyst.auth)
          .expect(404);
        await t
          .http()
          .get(`${base(agency)}/optimization-goals/${goal.body.id}`)
          .set(agencyAnalyst.auth)
          .expect(404);
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('optimization goals', () => {
    const baselineFrom = () => dayAgo(59);
    const baselineTo = () => dayAgo(32);
    const values = (fromAgo: number, toAgo: number) => {
      const out: number[] = [];
      for (let ago = fromAgo; ago >= toAgo; ago--) out.push(stepPlays.get(ago) ?? 0);
      return out;
    };
    const createGoal = (user: TestUser, overrides: Record<string, unknown> = {}) =>
      t
        .http()
        .post(`${base(brand)}/optimization-goals`)
        .set(user.auth)
        .send({
          name: `More plays ${randomUUID().slice(0, 6)}`,
          metric: 'plays',
          filters: { socialAccountId: stepAccount },
          baselineFrom: baselineFrom(),
          baselineTo: baselineTo(),
          targetValue: 250,
          deadline: new Date(NOW.getTime() + 30 * DAY).toISOString(),
          ...overrides,
        });

    it('compares before and after an applied optimization against the baseline’s weekly noise', async () => {
      const created = await createGoal(analyst).expect(201);
      const baseline = values(59, 32);
      expect(created.body.baseline).toMatchObject({
        from: baselineFrom(),
        to: baselineTo(),
        days: 28,
        weeks: 4,
      });
      expect(created.body.baseline.mean).toBeCloseTo(mean(baseline), 3);
      const weeks = [0, 1, 2, 3].map((w) => mean(baseline.slice(w * 7, w * 7 + 7)));
      expect(created.body.baseline.weeklyNoise).toBeCloseTo(sampleStd(weeks), 3);
      expect(created.body).toMatchObject({ direction: 'increase', state: 'active', ownerId: analyst.id });

      // Applied 20 days ago at 10:00 Shanghai: windows of 20 days (the whole days since then).
      const appliedAt = new Date(NOW.getTime() - 20 * DAY - 2 * 3_600_000).toISOString();
      const applied = await t
        .http()
        .post(`${base(brand)}/optimization-goals/${created.body.id}/applied`)
        .set(analyst.auth)
        .send({ appliedAt, note: 'New cover images' })
        .expect(201);
      const before = values(40, 21);
      const after = values(20, 1);
      const change = mean(after) - mean(before);
      const c = applied.body.comparison;
      expect(c).toMatchObject({
        status: 'measured',
        windowDays: 20,
        before: { from: dayAgo(40), to: dayAgo(21), days: 20 },
        after: { from: dayAgo(20), to: dayAgo(1), days: 20 },
        significant: true,
      });
      expect(c.beforeMean).toBeCloseTo(mean(before), 3);
      expect(c.afterMean).toBeCloseTo(mean(after), 3);
      expect(c.change).toBeCloseTo(change, 3);
      expect(c.changeRate).toBeCloseTo(change / mean(before), 3);
      expect(c.noiseThreshold).toBeCloseTo(2 * sampleStd(weeks), 3);
      expect(Math.abs(change)).toBeGreaterThan(50);

      const read = await t
        .http()
        .get(`${base(brand)}/optimization-goals/${created.body.id}`)
        .set(analyst.auth)
        .expect(200);
      expect(read.headers.etag).toBeDefined();
      expect(read.body.applications).toHaveLength(1);
      expect(read.body.applications[0]).toMatchObject({ note: 'New cover images', recordedBy: analyst.id });
      const current = mean(values(7, 1));
      expect(read.body.progress).toMatchObject({ from: dayAgo(7), to: dayAgo(1), days: 7 });
      expect(read.body.progress.current).toBeCloseTo(current, 3);
      expect(read.body.progress.fraction).toBeCloseTo((current - mean(baseline)) / (250 - mean(baseline)), 3);
      expect(read.body.progress.reached).toBe(current >= 250);

      // An optimization applied today is pending until a whole day has passed after it.
      const pending = await t
        .http()
        .post(`${base(brand)}/optimization-goals/${created.body.id}/applied`)
        .set(analyst.auth)
        .send({ appliedAt: new Date(NOW.getTime() - 3_600_000).toISOString() })
        .expect(201);
      expect(pending.body.comparison).toMatchObject({ status: 'pending', windowDays: 0, change: null });
    });

    it('judges goals at their deadline exactly once, achieved or missed, by the clock', async () => {
      const deadline = new Date(NOW.getTime() + 3_600_000).toISOString();
      const lastWeek = mean(values(7, 1));
      const achieved = await createGoal(analyst, { deadline, targetValue: Math.floor(lastWeek) - 5 }).expect(
        201,
      );
      const missed = await createGoal(analyst, { deadline, targetValue: Math.ceil(lastWeek) + 100 }).expect(
        201,
      );
      const goals = t.get(GoalsService);
      expect(await goals.judgeDue()).toBe(0);
      try {
        t.clock.set(new Date(NOW.getTime() + 2 * 3_600_000));
        expect(await goals.judgeDue()).toBe(2);
        expect(await Promise.all([goals.judgeDue(), goals.judgeDue()])).toEqual([0, 0]);
        for (const [goal, state] of [
          [achieved, 'achieved'],
          [missed, 'missed'],
        ] as const) {
          const read = await t
            .http()
            .get(`${base(brand)}/optimization-goals/${goal.body.id}`)
            .set(analyst.auth)
            .expect(200);
          expect(read.body.state).toBe(state);
          expect(read.body.finalValue).toBeCloseTo(lastWeek, 3);
          expect(read.body.evaluatedAt).toBe(new Date(NOW.getTime() + 2 * 3_600_000).toISOString());
        }
        // The owner was told once per goal.
        await t.get(OutboxService).drain();
        const told: { type: string; data: { goalId: string } }[] = await t.db.query(
          `SELECT type, data FROM notifications WHERE user_id = $1 AND type LIKE 'analytics.goal.%' ORDER BY type`,
          [analyst.id],
        );
        expect(told.map((n) => [n.type, n.data.goalId])).toEqual([
          ['analytics.goal.achieved', achieved.body.id],
          ['analytics.goal.missed', missed.body.id],
        ]);
        const judged = await t
          .http()
          .patch(`${base(brand)}/optimization-goals/${achieved.body.id}`)
          .set(analyst.auth)
          .send({ targetValue: 1 })
          .expect(409);
        expect(judged.body.code).toBe('invalid_state');
        const listed = await t
          .http()
          .get(`${base(brand)}/optimization-goals`)
          .query({ state: 'missed' })
          .set(analyst.auth)
          .expect(200);
        expect(listed.body.items.map((g: { id: string }) => g.id)).toEqual([missed.body.id]);
      } finally {
        t.clock.set(NOW);
      }
    });

    it('edits with If-Match and deletes', async () => {
      const created = await createGoal(analyst).expect(201);
      const url = `${base(brand)}/optimization-goals/${created.body.id}`;
      const etag = created.headers.etag;
      await t.http().patch(url).set(analyst.auth).set('If-Match', etag).send({ name: 'Renamed' }).expect(200);
      await t.http().patch(url).set(analyst.auth).set('If-Match', etag).send({ name: 'Stale' }).expect(412);
      await t.http().delete(url).set(analyst.auth).expect(204);
      await t.http().get(url).set(analyst.auth).expect(404);
    });

    it('keeps goals in their scope: unit, accounts, tenant, permission', async () => {
      const orgGoal = await createGoal(analyst).expect(201);
      const url = `${base(brand)}/optimization-goals/${orgGoal.body.id}`;
      await t.http().get(url).set(shopAnalyst.auth).expect(404);
      await t.http().get(url).set(otherOwner.auth).expect(404);
      await t
        .http()
        .get(`${base(otherBrand)}/optimization-goals/${orgGoal.body.id}`)
        .set(otherOwner.auth)
        .expect(404);
      await t.http().get(url).set(viewer.auth).expect(403);
      await createGoal(viewer).expect(403);
      // The shop analyst measures only what it reads: another unit's account is 404, its own works.
      await createGoal(shopAnalyst).expect(404);
      const shopGoal = await createGoal(shopAnalyst, { filters: { socialAccountId: shopAccount } }).expect(
        201,
      );
      expect(shopGoal.body.unitId).not.toBe(brand.rootUnitId);
      const shopList = await t
        .http()
        .get(`${base(brand)}/optimization-goals`)
        .set(shopAnalyst.auth)
        .expect(200);
      expect(shopList.body.items.map((g: { id: string }) => g.id)).toEqual([shopGoal.body.id]);
      const orgList = await t
        .http()
        .get(`${base(brand)}/optimization-goals`)
        .query({ limit: 100 })
        .set(analyst.auth)
        .expect(200);
      expect(orgList.body.items.map((g: { id: string }) => g.id)).toEqual(
        expect.arrayContaining([shopGoal.body.id, orgGoal.body.id]),
      );
      await t
        .http()
        .post(`${url}/applied`)
        .set(shopAnalyst.auth)
        .send({ appliedAt: NOW.toISOString() })
        .expect(404);
    });

    it('refuses bad goals with the field', async () => {
      const cases: [Record<string, unknown>, string, number][] = [
        [{ metric: 'nope' }, 'metric', 400],
        [{ baselineTo: dayAgo(62) }, 'baselineTo', 400],
        [{ baselineFrom: dayAgo(40), baselineTo: dayAgo(38) }, 'baselineTo', 400],
        [{ baselineTo: dayAgo(0) }, 'baselineTo', 400],
        [{ deadline: new Date(NOW.getTime() - DAY).toISOString() }, 'deadline', 400],
        [{ deadline: 'tomorrow' }, 'deadline', 400],
        [{ targetValue: -1 }, 'targetValue', 400],
        [{ filters: { channel: 'search', socialAccountId: stepAccount } }, 'channel', 400],
        [{ filters: { bogus: 1 } }, 'filters.bogus', 400],
        [{ extra: true }, 'extra', 400],
        [{ ownerId: randomUUID() }, 'ownerId', 422],
        [{ unitId: randomUUID() }, 'unitId', 422],
      ];
      for (const [overrides, field, status] of cases) {
        const res = await createGoal(analyst, overrides).expect(status);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const goal = await createGoal(analyst).expect(201);
      const bad = await t
        .http()
        .post(`${base(brand)}/optimization-goals/${goal.body.id}/applied`)
        .set(analyst.auth)
        .send({ appliedAt: new Date(NOW.getTime() + DAY).toISOString() })
        .expect(400);
      expect(bad.body.errors[0].field).toBe('appliedAt');
      await t
        .http()
        .get(`${base(brand)}/optimization-goals/not-a-uuid`)
        .set(analyst.auth)
        .expect(400);
    });
  });

  describe('segments', () => {
    /** Persons matching `test` among those with any event in the last `lookback` days, from the generated data. */
    const expectedSize = (
      events: Generated[],
      test: (mine: Generated[]) => boolean,
      lookback = 30,
    ): { size: number; active: number } => {
      const byPerson = new Map<string, Generated[]>();
      for (const g of events) byPerson.set(g.person, [...(byPerson.get(g.person) ?? []), g]);
      let size = 0;
      let active = 0;
      for (const mine of byPerson.values()) {
        if (!mine.some((g) => g.daysAgo < lookback)) continue;
        active += 1;
        if (test(mine)) size += 1;
      }
      return { size, active };
    };
    const rule = {
      all: [
        { event: { type: 'page_view', minCount: 2, withinDays: 7 } },
        { any: [{ device: { in: ['mobile'] } }, { property: { key: 'plan', equals: 'pro' } }] },
        { not: { channel: { in: ['direct'] } } },
      ],
    };
    // Events were placed 1–2 hours before the test clock on their day, so "within 7 days" is daysAgo <= 6.
    const matches = (mine: Generated[]) =>
      mine.filter((g) => g.type === 'page_view' && g.daysAgo <= 6).length >= 2 &&
      (mine.some((g) => g.deviceType === 'mobile') || mine.some((g) => g.properties.plan === 'pro')) &&
      !mine.some((g) => g.channel === 'direct');

    it('saves a rule and counts the people matching it now', async () => {
      const created = await t
        .http()
        .post(`${base(brand)}/segments`)
        .set(analyst.auth)
        .send({ name: 'Engaged non-direct', rule })
        .expect(201);
      expect(created.body).toMatchObject({
        lookbackDays: 30,
        rule,
        ownerId: analyst.id,
        unitId: brand.rootUnitId,
      });
      const size = await t
        .http()
        .get(`${base(brand)}/segments/${created.body.id}/size`)
        .set(analyst.auth)
        .expect(200);
      const expected = expectedSize(generated, matches);
      expect(expected.size).toBeGreaterThan(0);
      expect(size.body).toMatchObject({ size: expected.size, activePeople: expected.active });
      expect(size.body.share).toBeCloseTo(expected.size / expected.active, 4);

      // Narrowed by a filter: only the events of the root account count.
      const narrowed = await t
        .http()
        .get(`${base(brand)}/segments/${created.body.id}/size`)
        .query({ socialAccountId: rootAccount })
        .set(analyst.auth)
        .expect(200);
      const rootOnly = expectedSize(
        generated.filter((g) => g.socialAccountId === rootAccount),
        matches,
      );
      expect(narrowed.body).toMatchObject({ size: rootOnly.size, activePeople: rootOnly.active });

      // A shorter lookback shrinks the universe.
      const edited = await t
        .http()
        .patch(`${base(brand)}/segments/${created.body.id}`)
        .set(analyst.auth)
        .set('If-Match', created.headers.etag)
        .send({ lookbackDays: 3, rule: { all: [{ property: { key: 'plan', equals: 'pro' } }] } })
        .expect(200);
      expect(edited.body.lookbackDays).toBe(3);
      const recent = await t
        .http()
        .get(`${base(brand)}/segments/${created.body.id}/size`)
        .set(analyst.auth)
        .expect(200);
      // "pro" seen on an event inside the 3-day lookback (daysAgo <= 2: placed before the clock).
      const pro = expectedSize(
        generated,
        (mine) => mine.some((g) => g.properties.plan === 'pro' && g.daysAgo <= 2),
        3,
      );
      expect(recent.body).toMatchObject({ size: pro.size, activePeople: pro.active });
    });

    it('counts only what a unit-scoped analyst may see, and hides other units’ segments', async () => {
      const orgSegment = await t
        .http()
        .post(`${base(brand)}/segments`)
        .set(analyst.auth)
        .send({ name: 'Everyone mobile', rule: { any: [{ device: { in: ['mobile'] } }] } })
        .expect(201);
      await t
        .http()
        .get(`${base(brand)}/segments/${orgSegment.body.id}`)
        .set(shopAnalyst.auth)
        .expect(404);
      await t
        .http()
        .get(`${base(brand)}/segments/${orgSegment.body.id}/size`)
        .set(shopAnalyst.auth)
        .expect(404);
      const shopSegment = await t
        .http()
        .post(`${base(brand)}/segments`)
        .set(shopAnalyst.auth)
        .send({ name: 'Shop mobile', rule: { any: [{ device: { in: ['mobile'] } }] } })
        .expect(201);
      const shopSize = await t
        .http()
        .get(`${base(brand)}/segments/${shopSegment.body.id}/size`)
        .set(shopAnalyst.auth)
        .expect(200);
      const shopOnly = expectedSize(
        generated.filter((g) => g.socialAccountId === shopAccount),
        (mine) => mine.some((g) => g.deviceType === 'mobile'),
      );
      expect(shopSize.body).toMatchObject({ size: shopOnly.size, activePeople: shopOnly.active });
      // The org analyst sees the shop's segment and counts over everything.
      const all = await t
        .http()
        .get(`${base(brand)}/segments/${shopSegment.body.id}/size`)
        .set(analyst.auth)
        .expect(200);
      const everyone = expectedSize(generated, (mine) => mine.some((g) => g.deviceType === 'mobile'));
      expect(all.body).toMatchObject({ size: everyone.size, activePeople: everyone.active });
      const shopList = await t
        .http()
        .get(`${base(brand)}/segments`)
        .set(shopAnalyst.auth)
        .expect(200);
      expect(shopList.body.items.map((s: { id: string }) => s.id)).toEqual([shopSegment.body.id]);
      // Other tenants and roles without the permission.
      await t
        .http()
        .get(`${base(brand)}/segments/${shopSegment.body.id}`)
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .get(`${base(otherBrand)}/segments/${shopSegment.body.id}`)
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .get(`${base(brand)}/segments`)
        .set(viewer.auth)
        .expect(403);
      await t
        .http()
        .delete(`${base(brand)}/segments/${orgSegment.body.id}`)
        .set(shopAnalyst.auth)
        .expect(404);
      await t
        .http()
        .delete(`${base(brand)}/segments/${orgSegment.body.id}`)
        .set(analyst.auth)
        .expect(204);
    });

    it('refuses bad rules with the field', async () => {
      const deep = { all: [{ all: [{ all: [{ all: [{ device: { in: ['mobile'] } }] }] }] }] };
      const many = { any: Array.from({ length: 21 }, () => ({ device: { in: ['mobile'] } })) };
      const cases: [unknown, string][] = [
        [{ all: [{ event: { type: 'page_view', minCount: 0, withinDays: 7 } }] }, 'rule'],
        [{ all: [{ event: { type: 'nope', minCount: 1, withinDays: 7 } }] }, 'rule'],
        [{ all: [{ device: { in: ['phone'] } }] }, 'rule'],
        [{ all: [{ property: { key: 'a b', equals: 1 } }] }, 'rule'],
        [{ all: [{ sql: 'DROP TABLE' }] }, 'rule'],
        [{ all: [] }, 'rule'],
        [deep, 'rule'],
        [many, 'rule'],
        ['text', 'rule'],
      ];
      for (const [value, field] of cases) {
        const res = await t
          .http()
          .post(`${base(brand)}/segments`)
          .set(analyst.auth)
          .send({ name: `Bad ${randomUUID().slice(0, 6)}`, rule: value })
          .expect(400);
        expect(res.body.errors[0].field.startsWith(field)).toBe(true);
      }
      await t
        .http()
        .post(`${base(brand)}/segments`)
        .set(analyst.auth)
        .send({ name: 'Dup', rule: { any: [{ device: { in: ['tv'] } }] } })
        .expect(201);
      const dup = await t
        .http()
        .post(`${base(brand)}/segments`)
        .set(analyst.auth)
        .send({ name: 'dup', rule: { any: [{ device: { in: ['tv'] } }] } })
        .expect(409);
      expect(dup.body.errors[0].field).toBe('name');
      await t
        .http()
        .post(`${base(brand)}/segments`)
        .set(analyst.auth)
        .send({ name: 'Lookback', lookbackDays: 367, rule: { any: [{ device: { in: ['tv'] } }] } })
        .expect(400);
    });
  });

  describe('audience', () => {
    it('answers the distribution from portraits and from events', async () => {
      const portrait = (day: string, regions: [string, number][]) => ({
        day,
        regions: regions.map(([key, shareBp]) => ({ key, shareBp })),
        genders: [
          { key: 'female', shareBp: 6000 },
          { key: 'male', shareBp: 4000 },
        ],
      });
      for (const [account, rows] of [
        [
          rootAccount,
          [
            portrait(dayAgo(2), [
              ['Beijing', 5000],
              ['Shanghai', 5000],
            ]),
            portrait(dayAgo(1), [['Beijing', 7000]]),
          ],
        ],
        [shopAccount, [portrait(dayAgo(1), [['Guangdong', 10000]])]],
      ] as const) {
        await t
          .http()
          .post(`/api/v1/orgs/${brand.id}/social-accounts/${account}/audience-portraits`)
          .set(owner.auth)
          .send({ days: rows })
          .expect(200);
      }
      const res = await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'region', from: dayAgo(11), to: dayAgo(0) })
        .set(analyst.auth)
        .expect(200);
      // Mean share per account-day: three account-days have regions.
      expect(res.body.portrait).toEqual({
        accountDays: 3,
        items: [
          { key: 'Beijing', shareBp: 4000 },
          { key: 'Guangdong', shareBp: 3333.33 },
          { key: 'Shanghai', shareBp: 1666.67 },
        ],
      });
      const people = (filter: (g: Generated) => boolean) => {
        const byRegion = new Map<string, Set<string>>();
        for (const g of generated.filter(filter)) {
          const region = g.properties.region as string;
          byRegion.set(region, (byRegion.get(region) ?? new Set()).add(g.person));
        }
        return byRegion;
      };
      const expected = people(() => true);
      const known = new Set(generated.map((g) => g.person)).size;
      expect(res.body.events.people).toBe(known);
      for (const item of res.body.events.items) {
        expect(item.people).toBe(expected.get(item.key)!.size);
        expect(item.share).toBeCloseTo(item.people / known, 4);
      }

      // Interests may hold several values per person: people per interest, among people with any.
      const interests = await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'interest', from: dayAgo(11), to: dayAgo(0) })
        .set(analyst.auth)
        .expect(200);
      const withInterest = generated.filter((g) => Array.isArray(g.properties.interests));
      const food = new Set(
        withInterest
          .filter((g) => (g.properties.interests as string[]).includes('food'))
          .map((g) => g.person),
      );
      expect(interests.body.events.people).toBe(new Set(withInterest.map((g) => g.person)).size);
      expect(interests.body.events.items.find((i: { key: string }) => i.key === 'food').people).toBe(
        food.size,
      );

      // Device types from the events' own field.
      const devices = await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'device', channel: 'search', from: dayAgo(11), to: dayAgo(0) })
        .set(analyst.auth)
        .expect(200);
      expect(devices.body.portrait).toBeNull();
      const mobile = new Set(
        generated.filter((g) => g.channel === 'search' && g.deviceType === 'mobile').map((g) => g.person),
      );
      expect(devices.body.events.items.find((i: { key: string }) => i.key === 'mobile').people).toBe(
        mobile.size,
      );
    });

    it('is scoped to the accounts the caller reads, and answers CSV and SVG', async () => {
      const shop = await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'region', from: dayAgo(11), to: dayAgo(0) })
        .set(shopAnalyst.auth)
        .expect(200);
      expect(shop.body.portrait).toEqual({ accountDays: 1, items: [{ key: 'Guangdong', shareBp: 10000 }] });
      const shopPeople = new Set(
        generated.filter((g) => g.socialAccountId === shopAccount).map((g) => g.person),
      );
      expect(shop.body.events.people).toBe(shopPeople.size);
      await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'region' })
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'region' })
        .set(viewer.auth)
        .expect(403);
      const bad = await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'shoe' })
        .set(analyst.auth)
        .expect(400);
      expect(bad.body.errors[0].field).toBe('dimension');
      const csv = await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'gender', format: 'csv', from: dayAgo(11), to: dayAgo(0) })
        .set(analyst.auth)
        .expect(200);
      expect(csv.text.split('\n')[0]).toBe('key,portraitSharePct,eventSharePct,eventPeople');
      expect(csv.text).toContain('female,60,');
      const svg = await t
        .http()
        .get(`${base(brand)}/reports/audience`)
        .query({ dimension: 'gender', format: 'svg' })
        .set(analyst.auth)
        .expect(200);
      const text = svg.body instanceof Buffer ? svg.body.toString('utf8') : svg.text;
      expect(XMLValidator.validate(text)).toBe(true);
      expect(text).toContain('Portrait share (%)');
    });
  });
});
