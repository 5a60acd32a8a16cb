import { randomUUID } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EventPartitions } from '../src/modules/analytics/event-partitions';
import { RollupRebuilds } from '../src/modules/analytics/rollups/rollup-rebuilds.service';
import { RollupJob } from '../src/modules/analytics/rollups/rollup.job';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SHANGHAI = 8 * HOUR;

/** One generated event, as sent, with the person it counts for. */
interface Generated {
  eventId: string;
  type: string;
  at: number;
  person: string;
  userId?: string;
  anonymousId?: string;
  sessionId?: string;
  channel: string;
  utmSource?: string;
  deviceType: string;
  socialAccountId?: string;
  amount?: number;
}

const localDay = (at: number) => new Date(at + SHANGHAI).toISOString().slice(0, 10);
const localHour = (at: number) => new Date(at + SHANGHAI).toISOString().slice(0, 13) + ':00';
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysFrom = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};
const ratio = (n: number, d: number, digits = 4) =>
  d === 0 ? null : Math.round((n / d) * 10 ** digits) / 10 ** digits;
const distinct = <T>(xs: T[]) => new Set(xs).size;

/** Expected traffic figures of a set of events, computed here from the raw events. */
function traffic(events: Generated[]) {
  const sessions = new Map<string, { first: number; last: number; interactions: number }>();
  for (const e of events) {
    if (!e.sessionId) continue;
    const key = `${e.sessionId}|${localDay(e.at)}`;
    const s = sessions.get(key) ?? { first: e.at, last: e.at, interactions: 0 };
    s.first = Math.min(s.first, e.at);
    s.last = Math.max(s.last, e.at);
    if (e.type !== 'session_start') s.interactions += 1;
    sessions.set(key, s);
  }
  const all = [...sessions.values()];
  const bounces = all.filter((s) => s.interactions <= 1).length;
  const ms = all.reduce((sum, s) => sum + (s.last - s.first), 0);
  return {
    pageViews: events.filter((e) => e.type === 'page_view').length,
    visitors: distinct(events.map((e) => e.person)),
    sessions: all.length,
    bounceRate: ratio(bounces, all.length),
    avgSessionDurationSeconds: ratio(ms / 1000, all.length, 2),
  };
}

/**
 * Traffic, channel and active-user reports over HTTP on a generated dataset, every expected number
 * computed here from the raw events the test generated; the rollup job folding late events in, the
 * rebuild, CSV and SVG, tenancy, data scope and bad input.
 */
describe('analytics reports', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let agency: FixtureOrg;
  let otherBrand: FixtureOrg;
  let owner: TestUser;
  let analyst: TestUser;
  let shopAnalyst: TestUser;
  let agent: TestUser;
  let agencyOwner: TestUser;
  let agencyAnalyst: TestUser;
  let otherOwner: TestUser;
  let rootAccount: string;
  let shopAccount: string;
  let authorizationId: string;
  const events: Generated[] = [];
  let from: string;
  let to: string;

  const dayAgo = (n: number) =>
    new Date(t.clock.now().getTime() + SHANGHAI - n * DAY).toISOString().slice(0, 10);
  const url = (org: FixtureOrg, report: string, query: Record<string, string> = {}) =>
    `/api/v1/orgs/${org.id}/analytics/reports/${report}?${new URLSearchParams(query).toString()}`;
  const get = (user: TestUser, org: FixtureOrg, report: string, query: Record<string, string> = {}) =>
    t
      .http()
      .get(url(org, report, query))
      .set(user.auth);
  const toBody = (e: Generated) => ({
    eventId: e.eventId,
    type: e.type,
    occurredAt: new Date(e.at).toISOString(),
    ...(e.userId ? { userId: e.userId } : {}),
    ...(e.anonymousId ? { anonymousId: e.anonymousId } : {}),
    ...(e.sessionId ? { sessionId: e.sessionId } : {}),
    ...(e.utmSource ? { utmSource: e.utmSource, utmMedium: 'cpc' } : {}),
    ...(e.socialAccountId ? { socialAccountId: e.socialAccountId } : {}),
    ...(e.amount !== undefined ? { amount: e.amount } : {}),
    channel: e.channel,
    deviceType: e.deviceType,
    url: 'https://shop.example.com/',
  });
  const ingest = async (org: FixtureOrg, user: TestUser, batch: Generated[]) => {
    for (let i = 0; i < batch.length; i += 1000) {
      const res = await t
        .http()
        .post(`/api/v1/orgs/${org.id}/events/batch`)
        .set(user.auth)
        .send({ events: batch.slice(i, i + 1000).map(toBody) });
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { refused: 0 } });
    }
  };
  const rollUp = () => t.get(RollupJob).run();
  const inPeriod = (list: Generated[]) => list.filter((e) => localDay(e.at) >= from && localDay(e.at) <= to);

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    agency = await insertOrg(t, { kind: 'agency' });
    otherBrand = await insertOrg(t, { kind: 'brand' });
    const shop = await insertUnit(t, brand, brand.rootUnitId, 'Shop');
    [owner, analyst, shopAnalyst, agent, agencyOwner, agencyAnalyst, otherOwner] = await Promise.all(
      Array.from({ length: 7 }, () => makeUser(t)),
    );
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, analyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, brand, shopAnalyst.id, {
      unitId: shop,
      grants: [{ role: 'analyst', unitId: shop, scope: 'subtree' }],
    });
    await insertMember(t, brand, agent.id, { grants: [{ role: 'service_agent' }] });
    await insertMember(t, agency, agencyOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, agency, agencyAnalyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, otherBrand, otherOwner.id, { grants: [{ role: 'owner' }] });
    rootAccount = await insertAccount(t, brand);
    shopAccount = await insertAccount(t, brand, { unitId: shop });
    authorizationId = await insertAuthorization(t, brand, agency, [rootAccount], { scopes: ['analytics'] });
    await insertAssignment(t, agency, rootAccount);

    // 14 local days of 40 people: sessions of 1–6 events inside one hour, some events without a session.
    let seed = 20261204;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const channels = ['search', 'social', 'direct', 'ad', 'email'] as const;
    let n = 0;
    for (let ago = 14; ago >= 1; ago -= 1) {
      const day = dayAgo(ago);
      for (let p = 0; p < 40; p += 1) {
        if (rnd() > 0.4) continue;
        const person = p % 2 === 0 ? `u-${p}` : `a-${p}`;
        const ids = p % 2 === 0 ? { userId: person, anonymousId: `dev-${p}` } : { anonymousId: person };
        const account = [rootAccount, shopAccount, undefined][p % 3];
        const sessionsToday = 1 + Math.floor(rnd() * 2);
        for (let s = 0; s < sessionsToday; s += 1) {
          const start =
            Date.parse(`${day}T00:00:00+08:00`) +
            Math.floor(rnd() * 22) * HOUR +
            Math.floor(rnd() * 50) * 60_000;
          const sessionId = rnd() < 0.9 ? `s-${p}-${ago}-${s}` : undefined;
          const channel = pick(channels);
          const dims = {
            channel,
            utmSource: channel === 'ad' ? pick(['douyin', 'baidu']) : undefined,
            deviceType: pick(['mobile', 'desktop'] as const),
            socialAccountId: account,
          };
          const count = 1 + Math.floor(rnd() * 6);
          for (let i = 0; i < count; i += 1) {
            const roll = rnd();
            const type =
              i === 0 && roll < 0.3
                ? 'session_start'
                : roll < 0.75
                  ? 'page_view'
                  : roll < 0.85
                    ? 'click'
                    : roll < 0.93
                      ? 'conversion'
                      : 'purchase';
            n += 1;
            events.push({
              eventId: randomUUID(),
              type,
              at: start + i * 61_000 + (n % 7) * 1000,
              person,
              ...ids,
              sessionId,
              ...dims,
              amount: type === 'purchase' ? 100 * (1 + (n % 50)) : undefined,
            });
          }
        }
      }
    }
    await ingest(brand, owner, events);
    await rollUp();
    from = dayAgo(14);
    to = dayAgo(1);
  });
  afterAll(() => t.close());

  it('answers page views, visitors, sessions, bounce rate and duration per day, and for the period', async () => {
    const res = await get(analyst, brand, 'traffic', { from, to });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from, to, timeZone: 'Asia/Shanghai', interval: 'day' });
    const days = daysFrom(from, to);
    expect(res.body.items.map((i: { bucket: string }) => i.bucket)).toEqual(days);
    for (const [index, day] of days.entries()) {
      const expected = traffic(events.filter((e) => localDay(e.at) === day));
      expect({ day, ...res.body.items[index] }).toMatchObject({ day, ...expected });
    }
    expect(res.body.totals).toMatchObject(traffic(inPeriod(events)));
    expect(res.body.totals.visitors).toBeLessThan(
      res.body.items.reduce((sum: number, i: { visitors: number }) => sum + i.visitors, 0),
    );
  });

  it('counts unique visitors per hour and per ISO week without summing them', async () => {
    const day = dayAgo(3);
    const hourly = await get(analyst, brand, 'traffic', { from: day, to: day, interval: 'hour' });
    expect(hourly.status).toBe(200);
    expect(hourly.body.items).toHaveLength(24);
    for (const item of hourly.body.items) {
      const inHour = events.filter((e) => localHour(e.at) === item.bucket);
      expect({ bucket: item.bucket, pageViews: item.pageViews, visitors: item.visitors }).toEqual({
        bucket: item.bucket,
        pageViews: inHour.filter((e) => e.type === 'page_view').length,
        visitors: distinct(inHour.map((e) => e.person)),
      });
      expect(item.plays).toBeNull();
    }
    const weekly = await get(analyst, brand, 'traffic', { from, to, interval: 'week' });
    expect(weekly.status).toBe(200);
    for (const item of weekly.body.items) {
      const monday = item.bucket as string;
      const inWeek = inPeriod(events).filter(
        (e) => localDay(e.at) >= monday && localDay(e.at) <= addDays(monday, 6),
      );
      expect({ bucket: monday, visitors: item.visitors, pageViews: item.pageViews }).toEqual({
        bucket: monday,
        visitors: distinct(inWeek.map((e) => e.person)),
        pageViews: inWeek.filter((e) => e.type === 'page_view').length,
      });
    }
  });

  it('narrows by channel, device and account, and adds the accounts’ imported video metrics', async () => {
    const filtered = await get(analyst, brand, 'traffic', {
      from,
      to,
      channel: 'social',
      deviceType: 'mobile',
    });
    expect(filtered.status).toBe(200);
    expect(filtered.body.totals).toMatchObject(
      traffic(inPeriod(events).filter((e) => e.channel === 'social' && e.deviceType === 'mobile')),
    );
    const metrics = [
      { day: dayAgo(2), plays: 1000, avgPlayTimeMs: 12_000, completionRateBp: 3000 },
      { day: dayAgo(3), plays: 3000, avgPlayTimeMs: 8_000, completionRateBp: 5000 },
    ].map((m) => ({ ...m, followers: 10, likes: 1, comments: 1, shares: 1 }));
    const imported = await t
      .http()
      .post(`/api/v1/orgs/${brand.id}/social-accounts/${rootAccount}/daily-metrics`)
      .set(owner.auth)
      .send({ days: metrics });
    expect(imported.status).toBe(200);
    const res = await get(analyst, brand, 'traffic', { from, to, socialAccountId: rootAccount });
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({
      ...traffic(inPeriod(events).filter((e) => e.socialAccountId === rootAccount)),
      plays: 4000,
      avgPlayTimeMs: Math.round((1000 * 12_000 + 3000 * 8_000) / 4000),
      completionRate: ratio(1000 * 0.3 + 3000 * 0.5, 4000),
    });
    const day2 = res.body.items.find((i: { bucket: string }) => i.bucket === dayAgo(2));
    expect(day2).toMatchObject({ plays: 1000, avgPlayTimeMs: 12_000, completionRate: 0.3 });
    const quiet = res.body.items.find((i: { bucket: string }) => i.bucket === dayAgo(5));
    expect(quiet).toMatchObject({ plays: 0, avgPlayTimeMs: null, completionRate: null });
  });

  it('answers visitors, sessions and conversions per channel and per UTM source', async () => {
    const period = inPeriod(events);
    const expectRow = (list: Generated[]) => {
      const f = traffic(list);
      const conversions = list.filter((e) => e.type === 'conversion' || e.type === 'purchase');
      return {
        visitors: f.visitors,
        sessions: f.sessions,
        conversions: conversions.length,
        conversionRate: ratio(distinct(conversions.map((e) => e.person)), f.visitors),
        amountFen: conversions.reduce((sum, e) => sum + (e.amount ?? 0), 0),
      };
    };
    const res = await get(analyst, brand, 'channels', { from, to });
    expect(res.status).toBe(200);
    const channels = [...new Set(period.map((e) => e.channel))];
    expect(res.body.items).toHaveLength(channels.length);
    for (const row of res.body.items) {
      expect({ key: row.key, ...row }).toEqual({
        key: row.key,
        ...expectRow(period.filter((e) => e.channel === row.key)),
      });
    }
    const bySource = await get(analyst, brand, 'channels', { from, to, groupBy: 'utmSource' });
    expect(bySource.status).toBe(200);
    for (const row of bySource.body.items) {
      expect({ key: row.key, ...row }).toEqual({
        key: row.key,
        ...expectRow(period.filter((e) => (e.utmSource ?? null) === row.key)),
      });
    }
    expect(bySource.body.items.map((r: { key: string | null }) => r.key).sort()).toEqual(
      expect.arrayContaining(['baidu', 'douyin', null]),
    );
  });

  it('answers DAU, WAU, MAU, stickiness and lifecycle per day and per week', async () => {
    const activeOn = (day: string) =>
      new Set(events.filter((e) => localDay(e.at) === day).map((e) => e.person));
    const activeIn = (first: string, last: string) =>
      new Set(events.filter((e) => localDay(e.at) >= first && localDay(e.at) <= last).map((e) => e.person));
    const firstDay = new Map<string, string>();
    for (const e of events) {
      const d = localDay(e.at);
      if (!firstDay.has(e.person) || d < firstDay.get(e.person)!) firstDay.set(e.person, d);
    }
    const lifecycle = (first: string, last: string) => {
      const length = daysFrom(first, last).length;
      const cur = activeIn(first, last);
      const prev = activeIn(addDays(first, -length), addDays(first, -1));
      const seenBefore = (p: string) => firstDay.get(p)! < first;
      return {
        active: cur.size,
        new: [...cur].filter((p) => !seenBefore(p)).length,
        returning: [...cur].filter((p) => prev.has(p)).length,
        resurrecting: [...cur].filter((p) => !prev.has(p) && seenBefore(p)).length,
        dormant: [...prev].filter((p) => !cur.has(p)).length,
        wau: activeIn(addDays(last, -6), last).size,
        mau: activeIn(addDays(last, -29), last).size,
      };
    };
    const daily = await get(analyst, brand, 'active-users', { from, to });
    expect(daily.status).toBe(200);
    for (const item of daily.body.items) {
      const expected = lifecycle(item.bucket, item.bucket);
      const dau = activeOn(item.bucket).size;
      expect(item).toEqual({ bucket: item.bucket, dau, stickiness: ratio(dau, expected.mau), ...expected });
    }
    const weekly = await get(analyst, brand, 'active-users', { from, to, interval: 'week' });
    expect(weekly.status).toBe(200);
    for (const [index, item] of weekly.body.items.entries()) {
      const first = index === 0 ? from : item.bucket;
      const last = [addDays(item.bucket, 6), to].sort()[0];
      const days = daysFrom(first, last);
      const dau = Math.round((days.reduce((s, d) => s + activeOn(d).size, 0) / days.length) * 100) / 100;
      const expected = lifecycle(first, last);
      expect(item).toEqual({ bucket: item.bucket, dau, stickiness: ratio(dau, expected.mau), ...expected });
    }
  });

  it('folds a late event into the rollup of its day at the next job run', async () => {
    const day = dayAgo(10);
    const before = await get(analyst, brand, 'traffic', { from: day, to: day });
    const late: Generated = {
      eventId: randomUUID(),
      type: 'page_view',
      at: Date.parse(`${day}T12:30:00+08:00`),
      person: 'late-visitor',
      anonymousId: 'late-visitor',
      sessionId: 'late-session',
      channel: 'direct',
      deviceType: 'tablet',
    };
    await ingest(brand, owner, [late]);
    const stale = await get(analyst, brand, 'traffic', { from: day, to: day });
    expect(stale.body.totals).toEqual(before.body.totals);
    const run = await rollUp();
    expect(run.days).toEqual([`${brand.id}/${day}`]);
    events.push(late);
    const after = await get(analyst, brand, 'traffic', { from: day, to: day });
    expect(after.body.totals).toMatchObject(traffic(events.filter((e) => localDay(e.at) === day)));
    expect(after.body.totals.visitors).toBe(before.body.totals.visitors + 1);
    expect(after.body.totals.sessions).toBe(before.body.totals.sessions + 1);
    expect((await rollUp()).days).toEqual([]);
  });

  it('rebuilds a range on request, with its progress', async () => {
    const day = dayAgo(5);
    // Events loaded around ingestion (a bulk COPY) reach the reports only through a rebuild.
    const at = new Date(`${day}T09:15:00+08:00`);
    await t.get(EventPartitions).ensure([at]);
    const bulk: Generated = {
      eventId: randomUUID(),
      type: 'page_view',
      at: at.getTime(),
      person: 'bulk-visitor',
      anonymousId: 'bulk-visitor',
      channel: 'referral',
      deviceType: 'desktop',
    };
    await t.db.query(
      `INSERT INTO analytics_events (org_id, event_id, occurred_at, received_at, type, anonymous_id, channel, device_type, properties)
       VALUES ($1, $2, $3, $3, 'page_view', 'bulk-visitor', 'referral', 'desktop', '{}')`,
      [brand.id, bulk.eventId, at],
    );
    const before = await get(analyst, brand, 'traffic', { from: day, to: day });
    expect(before.body.totals).toMatchObject(traffic(events.filter((e) => localDay(e.at) === day)));

    const requested = await t
      .http()
      .post(`/api/v1/orgs/${brand.id}/analytics/rollups/rebuilds`)
      .set(analyst.auth)
      .send({ from: day, to: day });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ from: day, to: day, status: 'queued', daysTotal: 1, daysDone: 0 });
    // The job worker's handler (pg-boss is off in tests).
    await t.get(RollupRebuilds).execute(requested.body.id);
    const status = await t
      .http()
      .get(`/api/v1/orgs/${brand.id}/analytics/rollups/rebuilds/${requested.body.id}`)
      .set(analyst.auth);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'done', daysTotal: 1, daysDone: 1, error: null });
    expect(status.body.finishedAt).toEqual(expect.any(String));
    events.push(bulk);
    const after = await get(analyst, brand, 'traffic', { from: day, to: day });
    expect(after.body.totals).toMatchObject(traffic(events.filter((e) => localDay(e.at) === day)));
    expect(after.body.totals.pageViews).toBe(before.body.totals.pageViews + 1);

    // Another tenant, a unit-scoped manager, a wrong role, bad ranges.
    const rebuildUrl = `/api/v1/orgs/${brand.id}/analytics/rollups/rebuilds`;
    expect((await t.http().get(`${rebuildUrl}/${requested.body.id}`).set(otherOwner.auth)).status).toBe(404);
    expect(
      (
        await t
          .http()
          .get(`/api/v1/orgs/${otherBrand.id}/analytics/rollups/rebuilds/${requested.body.id}`)
          .set(otherOwner.auth)
      ).status,
    ).toBe(404);
    expect((await t.http().post(rebuildUrl).set(shopAnalyst.auth).send({ from: day, to: day })).status).toBe(
      403,
    );
    expect((await t.http().post(rebuildUrl).set(agent.auth).send({ from: day, to: day })).status).toBe(403);
    const backwards = await t
      .http()
      .post(rebuildUrl)
      .set(owner.auth)
      .send({ from: day, to: dayAgo(6) });
    expect(backwards.status).toBe(400);
    expect(backwards.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(backwards.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
    const tooLong = await t.http().post(rebuildUrl).set(owner.auth).send({ from: '2020-01-01', to: day });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].field).toBe('to');
    const unknown = await t.http().post(rebuildUrl).set(owner.auth).send({ from: day, to: day, force: true });
    expect(unknown.status).toBe(400);
    const missing = await t.http().post(rebuildUrl).set(owner.auth).send({ to: day });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('from');
    expect((await t.http().get(`${rebuildUrl}/not-a-uuid`).set(owner.auth)).status).toBe(400);
  });

  it('answers the same numbers as CSV, and an SVG chart naming its series', async () => {
    const json = await get(analyst, brand, 'traffic', { from, to });
    const csv = await get(analyst, brand, 'traffic', {
      from,
      to,
      format: 'csv',
      metrics: 'pageViews,visitors,bounceRate',
    });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('bucket,pageViews,visitors,bounceRate');
    expect(lines.slice(1)).toEqual(
      json.body.items.map(
        (i: { bucket: string; pageViews: number; visitors: number; bounceRate: number | null }) =>
          `${i.bucket},${i.pageViews},${i.visitors},${i.bounceRate ?? ''}`,
      ),
    );
    for (const [report, names] of [
      ['traffic', ['Page views', 'Unique visitors', 'Sessions']],
      ['channels', ['Visitors', 'Sessions', 'Conversions']],
      ['active-users', ['DAU', 'WAU', 'MAU']],
    ] as const) {
      const svg = await get(analyst, brand, report, { from, to, format: 'svg' });
      expect(svg.status).toBe(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const text = svg.text || String(svg.body);
      expect(XMLValidator.validate(text)).toBe(true);
      expect(new XMLParser().parse(text)).toHaveProperty('svg');
      for (const name of names) expect(text).toContain(name);
    }
  });

  it('keeps tenants apart and narrows a unit-scoped analyst to the accounts of its unit', async () => {
    expect((await get(otherOwner, brand, 'traffic', { from, to })).status).toBe(404);
    expect((await get(otherOwner, brand, 'channels', { from, to })).status).toBe(404);
    expect((await get(otherOwner, brand, 'active-users', { from, to })).status).toBe(404);
    const empty = await get(otherOwner, otherBrand, 'traffic', { from, to });
    expect(empty.status).toBe(200);
    expect(empty.body.totals).toMatchObject({ pageViews: 0, visitors: 0, sessions: 0, bounceRate: null });
    expect((await get(agent, brand, 'traffic', { from, to })).status).toBe(403);

    const shop = await get(shopAnalyst, brand, 'traffic', { from, to });
    expect(shop.status).toBe(200);
    expect(shop.body.totals).toMatchObject(
      traffic(inPeriod(events).filter((e) => e.socialAccountId === shopAccount)),
    );
    expect(shop.body.totals.plays).toBe(0);
    const shopChannels = await get(shopAnalyst, brand, 'channels', { from, to });
    const shopVisitors = distinct(
      inPeriod(events)
        .filter((e) => e.socialAccountId === shopAccount)
        .map((e) => e.person),
    );
    expect(
      Math.max(...shopChannels.body.items.map((r: { visitors: number }) => r.visitors)),
    ).toBeLessThanOrEqual(shopVisitors);
    expect(
      (await get(shopAnalyst, brand, 'traffic', { from, to, socialAccountId: rootAccount })).status,
    ).toBe(404);
    expect(
      (await get(shopAnalyst, brand, 'active-users', { from, to, socialAccountId: rootAccount })).status,
    ).toBe(404);
  });

  it('lets an agency read an authorized account until the authorization ends', async () => {
    const day = dayAgo(2);
    const agencyEvents: Generated[] = [0, 1, 2].map((i) => ({
      eventId: randomUUID(),
      type: 'page_view',
      at: Date.parse(`${day}T10:0${i}:00+08:00`),
      person: `fan-${i % 2}`,
      anonymousId: `fan-${i % 2}`,
      sessionId: `fan-session-${i % 2}`,
      channel: 'social',
      deviceType: 'mobile',
      socialAccountId: rootAccount,
    }));
    await ingest(agency, agencyOwner, agencyEvents);
    await rollUp();
    const query = { from: day, to: day, socialAccountId: rootAccount };
    const res = await get(agencyAnalyst, agency, 'traffic', query);
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ ...traffic(agencyEvents), plays: 1000 });
    // The brand's reports do not count the agency's events, nor the agency the brand's.
    const brandView = await get(analyst, brand, 'traffic', query);
    expect(brandView.body.totals.pageViews).toBe(
      events.filter(
        (e) => localDay(e.at) === day && e.socialAccountId === rootAccount && e.type === 'page_view',
      ).length,
    );

    await t.db.query(`UPDATE account_authorizations SET status = 'revoked' WHERE id = $1`, [authorizationId]);
    expect((await get(agencyAnalyst, agency, 'traffic', query)).status).toBe(404);
    expect((await get(agencyAnalyst, agency, 'channels', query)).status).toBe(404);
    const unfiltered = await get(agencyAnalyst, agency, 'traffic', { from: day, to: day });
    expect(unfiltered.body.totals.pageViews).toBe(0);
  });

  it('refuses bad input with problem+json naming the field', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['traffic', { from: to, to: from }, 'to'],
      ['traffic', { from: '2024-01-01', to }, 'to'],
      ['traffic', { from, to, metrics: 'pageViews,revenue' }, 'metrics'],
      ['traffic', { from, to, interval: 'fortnight' }, 'interval'],
      ['traffic', { from: '2025-01-01', to: '2025-03-01', interval: 'hour' }, 'interval'],
      ['traffic', { from: '2026-02-30' }, 'from'],
      ['traffic', { channel: 'tv' }, 'channel'],
      ['traffic', { socialAccountId: 'nope' }, 'socialAccountId'],
      ['channels', { groupBy: 'referrer' }, 'groupBy'],
      ['channels', { from: to, to: from }, 'to'],
      ['active-users', { interval: 'hour' }, 'interval'],
      ['active-users', { format: 'pdf' }, 'format'],
    ];
    for (const [report, query, field] of cases) {
      const res = await get(analyst, brand, report, query);
      expect({ report, query, status: res.status }).toEqual({ report, query, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const unknown = await get(analyst, brand, 'traffic', { sort: 'visitors' });
    expect(unknown.status).toBe(400);
  });
});
