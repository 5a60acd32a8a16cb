import { randomUUID } from 'node:crypto';
import { EventRetentionJob } from '../src/modules/analytics/event-retention.job';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit, systemRoleId } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;

/**
 * Event ingestion end to end: batches stored event by event (or atomically), duplicates ignored, the
 * time window and the account access rule applied per event, NDJSON imports streamed past the body
 * limit, and the partition job keeping months ahead and dropping the ones past every retention.
 */
describe('analytics events', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let agency: FixtureOrg;
  let otherBrand: FixtureOrg;
  let brandOwner: TestUser;
  let brandOperator: TestUser;
  let shopOperator: TestUser;
  let brandAnalyst: TestUser;
  let brandViewer: TestUser;
  let agencyOperator: TestUser;
  let otherOwner: TestUser;
  let brandShop: string;
  let rootAccount: string;
  let shopAccount: string;
  let otherAccount: string;
  let agencyAnalyticsAccount: string;
  let agencyPublishOnlyAccount: string;

  const batchUrl = (org: FixtureOrg, query = '') => `/api/v1/orgs/${org.id}/events/batch${query}`;
  const importUrl = (org: FixtureOrg) => `/api/v1/orgs/${org.id}/events/import`;
  const minutesAgo = (minutes: number) => new Date(t.clock.now().getTime() - minutes * 60_000).toISOString();
  const event = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    eventId: randomUUID(),
    type: 'page_view',
    occurredAt: minutesAgo(10),
    anonymousId: 'anon-1',
    url: 'https://shop.example.com/products/42?ref=x',
    ...overrides,
  });
  const stored = async (org: FixtureOrg) => {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM analytics_events WHERE org_id = $1`, [
      org.id,
    ]);
    return n as number;
  };
  const storedRow = async (org: FixtureOrg, eventId: string) => {
    const rows = await t.db.query(`SELECT * FROM analytics_events WHERE org_id = $1 AND event_id = $2`, [
      org.id,
      eventId,
    ]);
    return rows[0] as Record<string, unknown> | undefined;
  };
  const send = (user: { auth: Record<string, string> } | Record<string, string>, body: unknown, query = '') =>
    t
      .http()
      .post(batchUrl(brand, query))
      .set('auth' in user ? (user.auth as Record<string, string>) : user)
      .send(body as object);

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand', name: 'Brand Co' });
    agency = await insertOrg(t, { kind: 'agency', name: 'Agency Co' });
    otherBrand = await insertOrg(t, { kind: 'brand', name: 'Other Brand' });
    brandShop = await insertUnit(t, brand, brand.rootUnitId, 'Shop');
    [brandOwner, brandOperator, shopOperator, brandAnalyst, brandViewer, agencyOperator, otherOwner] =
      await Promise.all(Array.from({ length: 7 }, () => makeUser(t)));
    await insertMember(t, brand, brandOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, brandOperator.id, { grants: [{ role: 'operator' }] });
    await insertMember(t, brand, shopOperator.id, {
      unitId: brandShop,
      grants: [{ role: 'operator', unitId: brandShop, scope: 'subtree' }],
    });
    await insertMember(t, brand, brandAnalyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, brand, brandViewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, agency, agencyOperator.id, { grants: [{ role: 'operator' }] });
    await insertMember(t, otherBrand, otherOwner.id, { grants: [{ role: 'owner' }] });

    rootAccount = await insertAccount(t, brand);
    shopAccount = await insertAccount(t, brand, { unitId: brandShop });
    otherAccount = await insertAccount(t, otherBrand);
    agencyAnalyticsAccount = await insertAccount(t, brand);
    agencyPublishOnlyAccount = await insertAccount(t, brand);
    await insertAuthorization(t, brand, agency, [agencyAnalyticsAccount], { scopes: ['analytics'] });
    await insertAuthorization(t, brand, agency, [agencyPublishOnlyAccount], { scopes: ['publish'] });
    await insertAssignment(t, agency, agencyAnalyticsAccount);
    await insertAssignment(t, agency, agencyPublishOnlyAccount);
  });
  afterAll(() => t.close());

  describe('POST /events/batch', () => {
    it('stores valid events with every field, deriving the channel when it is absent', async () => {
      const purchase = event({
        type: 'purchase',
        amount: 12_990,
        userId: 'u-7',
        sessionId: 's-1',
        referrer: 'https://www.baidu.com/s?wd=shoes',
        utmCampaign: undefined,
        deviceType: 'mobile',
        os: 'iOS',
        browser: 'WeChat',
        screenWidth: 390,
        screenHeight: 844,
        locale: 'zh-CN',
        socialAccountId: rootAccount,
        campaignId: randomUUID(),
        properties: { sku: 'A-1', tags: ['x', 'y'], cart: { items: 2 } },
      });
      const cases: [Record<string, unknown>, string][] = [
        [purchase, 'search'],
        [event({ referrer: 'https://m.weibo.cn/status/1' }), 'social'],
        [event({ referrer: 'https://www.douyin.com/video/1' }), 'social'],
        [event({ referrer: 'https://cn.bing.com/search?q=a' }), 'search'],
        [event({ utmSource: 'baidu', utmMedium: 'cpc' }), 'ad'],
        [event({ utmSource: 'newsletter', utmMedium: 'email' }), 'email'],
        [event({ utmSource: 'xiaohongshu' }), 'social'],
        [event({ utmSource: 'partner-x', utmMedium: 'qr' }), 'other'],
        [event({ referrer: 'https://blog.example.org/post' }), 'referral'],
        [event({ referrer: 'https://shop.example.com/home' }), 'direct'],
        [event({}), 'direct'],
        [event({ referrer: 'https://www.baidu.com/', channel: 'other' }), 'other'],
        [event({ type: 'custom', name: 'coupon_claimed' }), 'direct'],
      ];
      const res = await send(brandOperator, { events: cases.map(([e]) => e) }).expect(200);
      expect(res.body).toEqual({
        received: cases.length,
        stored: cases.length,
        duplicates: 0,
        refused: 0,
        refusals: [],
      });

      for (const [sent, channel] of cases) {
        const row = await storedRow(brand, sent.eventId as string);
        expect(row?.channel).toBe(channel);
      }
      const row = await storedRow(brand, purchase.eventId as string);
      expect(row).toMatchObject({
        type: 'purchase',
        amount_fen: '12990',
        user_id: 'u-7',
        anonymous_id: 'anon-1',
        session_id: 's-1',
        path: '/products/42',
        referrer_host: 'baidu.com',
        device_type: 'mobile',
        os: 'iOS',
        screen_width: 390,
        locale: 'zh-CN',
        social_account_id: rootAccount,
        campaign_id: purchase.campaignId,
        properties: { sku: 'A-1', tags: ['x', 'y'], cart: { items: 2 } },
      });
      expect((row?.occurred_at as Date).toISOString()).toBe(purchase.occurredAt);
    });

    it('ignores repeated event ids within a batch and across batches, counting them', async () => {
      const before = await stored(brand);
      const a = event();
      const b = event();
      const first = await send(brandOperator, {
        events: [a, b, { ...a, anonymousId: 'someone-else' }],
      }).expect(200);
      expect(first.body).toMatchObject({ received: 3, stored: 2, duplicates: 1, refused: 0 });
      const retry = await send(brandOperator, { events: [a, b, event()] }).expect(200);
      expect(retry.body).toMatchObject({ received: 3, stored: 1, duplicates: 2, refused: 0 });
      expect(await stored(brand)).toBe(before + 3);
      expect((await storedRow(brand, a.eventId as string))?.anonymous_id).toBe('anon-1');
    });

    it('prevents a repeated id from counting twice even when its occurredAt moves to another month', async () => {
      const moved = event({ occurredAt: minutesAgo(60) });
      await send(brandOperator, { events: [moved] }).expect(200);
      const res = await send(brandOperator, {
        events: [{ ...moved, occurredAt: new Date(t.clock.now().getTime() - 45 * DAY).toISOString() }],
      }).expect(200);
      expect(res.body).toMatchObject({ stored: 0, duplicates: 1 });
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = $1`,
        [moved.eventId],
      );
      expect(n).toBe(1);
    });

    it('stores the valid events and lists each refused one with its index and field', async () => {
      const before = await stored(brand);
      const valid = [event(), event()];
      const res = await send(brandOperator, {
        events: [
          valid[0],
          event({ type: 'wink' }),
          event({ eventId: 'not-a-uuid' }),
          event({ anonymousId: undefined }),
          event({ type: 'custom' }),
          event({ type: 'page_view', amount: 100 }),
          event({ type: 'purchase' }),
          event({ type: 'purchase', amount: 1.5 }),
          event({ properties: { a: { b: { c: { d: 1 } } } } }),
          event({ properties: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }),
          event({ properties: { text: 'x'.repeat(9000) } }),
          event({ surprise: true }),
          event({ occurredAt: '2026-13-01T00:00:00Z' }),
          valid[1],
        ],
      }).expect(200);
      expect(res.body.received).toBe(14);
      expect(res.body.stored).toBe(2);
      expect(res.body.refused).toBe(12);
      const refused = (res.body.refusals as { index: number; field: string }[]).map((r) => [
        r.index,
        r.field,
      ]);
      expect(refused).toEqual([
        [1, 'type'],
        [2, 'eventId'],
        [3, 'anonymousId'],
        [4, 'name'],
        [5, 'amount'],
        [6, 'amount'],
        [7, 'amount'],
        [8, 'properties'],
        [9, 'properties'],
        [10, 'properties'],
        [11, 'surprise'],
        [12, 'occurredAt'],
      ]);
      for (const refusal of res.body.refusals) expect(typeof refusal.message).toBe('string');
      expect(await stored(brand)).toBe(before + 2);
      expect(await storedRow(brand, valid[1].eventId as string)).toBeDefined();
    });

    it('with atomic=true refuses the whole batch when one event is invalid, storing nothing', async () => {
      const before = await stored(brand);
      const res = await send(
        brandOperator,
        { events: [event(), event({ occurredAt: 'yesterday' })] },
        '?atomic=true',
      ).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([{ field: 'events[1].occurredAt', message: expect.any(String) }]);
      expect(await stored(brand)).toBe(before);

      const ok = await send(brandOperator, { events: [event(), event()] }, '?atomic=true').expect(200);
      expect(ok.body).toMatchObject({ stored: 2, refused: 0 });
      expect(await stored(brand)).toBe(before + 2);
    });

    it('refuses events far in the future or older than the retention window, per event', async () => {
      const now = t.clock.now().getTime();
      const at = (ms: number) => new Date(now + ms).toISOString();
      const res = await send(brandOperator, {
        events: [
          event({ occurredAt: at(4 * 60_000) }),
          event({ occurredAt: at(6 * 60_000) }),
          event({ occurredAt: at(-399 * DAY) }),
          event({ occurredAt: at(-401 * DAY) }),
        ],
      }).expect(200);
      expect(res.body).toMatchObject({ stored: 2, refused: 2 });
      expect(res.body.refusals.map((r: { index: number }) => r.index)).toEqual([1, 3]);

      // A shorter window of the organization's own.
      await t.db.query(`INSERT INTO analytics_settings (org_id, retention_days) VALUES ($1, 30)`, [
        otherBrand.id,
      ]);
      const other = await t
        .http()
        .post(batchUrl(otherBrand))
        .set(otherOwner.auth)
        .send({ events: [event({ occurredAt: at(-29 * DAY) }), event({ occurredAt: at(-31 * DAY) })] })
        .expect(200);
      expect(other.body).toMatchObject({
        stored: 1,
        refused: 1,
        refusals: [{ index: 1, field: 'occurredAt' }],
      });
    });

    it('accepts an API key whose grants hold analytics:ingest', async () => {
      const created = await t
        .http()
        .post(`/api/v1/orgs/${brand.id}/api-keys`)
        .set(brandOwner.auth)
        .send({
          name: 'Web tracker',
          grants: [
            { roleId: await systemRoleId(t, brand, 'operator'), unitId: brand.rootUnitId, scope: 'org' },
          ],
        })
        .expect(201);
      const key = { 'X-API-Key': created.body.key as string };
      const sent = event();
      const res = await send(key, { events: [sent] }).expect(200);
      expect(res.body).toMatchObject({ stored: 1 });
      expect(await storedRow(brand, sent.eventId as string)).toBeDefined();

      const readOnly = await t
        .http()
        .post(`/api/v1/orgs/${brand.id}/api-keys`)
        .set(brandOwner.auth)
        .send({
          name: 'Dashboard',
          grants: [
            { roleId: await systemRoleId(t, brand, 'analyst'), unitId: brand.rootUnitId, scope: 'org' },
          ],
        })
        .expect(201);
      await send({ 'X-API-Key': readOnly.body.key as string }, { events: [event()] }).expect(403);
    });

    it('refuses roles without analytics:ingest (403) and other tenants (404)', async () => {
      for (const user of [brandViewer, brandAnalyst]) {
        const res = await send(user, { events: [event()] }).expect(403);
        expect(res.body.code).toBe('permission_denied');
      }
      const res = await send(otherOwner, { events: [event()] }).expect(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      await t
        .http()
        .post(batchUrl(brand))
        .send({ events: [event()] })
        .expect(401);
    });

    it('refuses bad batches as a whole: empty, over 1,000, not objects, unknown fields, bad atomic', async () => {
      await send(brandOperator, { events: [] }).expect(400);
      const tooMany = await send(brandOperator, {
        events: Array.from({ length: 1001 }, () => ({ eventId: randomUUID() })),
      }).expect(400);
      expect(tooMany.body.errors[0].field).toBe('events');
      await send(brandOperator, { events: ['x'] }).expect(400);
      await send(brandOperator, { events: [event()], extra: 1 }).expect(400);
      await send(brandOperator, { events: [event()] }, '?atomic=yes').expect(400);
    });

    it('stores 1,000 events in one request', async () => {
      const before = await stored(brand);
      const events = Array.from({ length: 1000 }, (_, i) =>
        event({ anonymousId: `a-${i}`, sessionId: `s-${i % 50}` }),
      );
      const res = await send(brandOperator, { events }).expect(200);
      expect(res.body).toMatchObject({ received: 1000, stored: 1000, duplicates: 0, refused: 0 });
      expect(await stored(brand)).toBe(before + 1000);
    });

    it('counts each event once when the same batches race each other over several connections', async () => {
      const before = await stored(brand);
      // 6 batches of 300 sharing their events pairwise in different orders, all sent at once, each twice.
      const pool = Array.from({ length: 900 }, (_, i) => event({ anonymousId: `race-${i}` }));
      const batches = [
        pool.slice(0, 300),
        pool.slice(0, 300).reverse(),
        pool.slice(150, 450),
        pool.slice(300, 600),
        pool.slice(450, 900).reverse().slice(0, 300),
        pool.slice(600, 900),
      ];
      const answers = await Promise.all(
        [...batches, ...batches].map((events) => send(brandOperator, { events }).expect(200)),
      );
      const sent = answers.reduce((n, res) => n + (res.body as { received: number }).received, 0);
      const storedNow = answers.reduce((n, res) => n + (res.body as { stored: number }).stored, 0);
      const duplicates = answers.reduce((n, res) => n + (res.body as { duplicates: number }).duplicates, 0);
      const distinct = new Set(batches.flat().map((e) => e.eventId)).size;
      expect(storedNow).toBe(distinct);
      expect(duplicates).toBe(sent - distinct);
      expect(await stored(brand)).toBe(before + distinct);
      const [{ n }] = await t.db.query(
        `SELECT count(DISTINCT event_id)::int AS n FROM analytics_events WHERE org_id = $1 AND anonymous_id LIKE 'race-%'`,
        [brand.id],
      );
      expect(n).toBe(distinct);
    });

    it('stores text with backslashes, quotes, tabs escaped in JSON and non-ASCII characters exactly', async () => {
      const tricky = event({
        anonymousId: 'C:\\Users\\李雷 "quoted" \\N',
        url: 'https://shop.example.com/路径/\\N?q=a\\tb',
        properties: { note: 'line\\nbreak \\ backslash', tab: 'a\\tb', emoji: '👍', nested: { n: null } },
      });
      const res = await send(brandOperator, { events: [tricky] }).expect(200);
      expect(res.body).toMatchObject({ stored: 1 });
      const row = await storedRow(brand, tricky.eventId as string);
      expect(row?.anonymous_id).toBe(tricky.anonymousId);
      expect(row?.url).toBe(tricky.url);
      expect(row?.path).toBe(new URL(tricky.url as string).pathname);
      expect(row?.properties).toEqual(tricky.properties);
      expect(row?.user_id).toBeNull();
    });

    it('refuses per event a social account outside what the caller may record analytics for', async () => {
      const own = await send(brandOperator, {
        events: [
          event({ socialAccountId: rootAccount }),
          event({ socialAccountId: shopAccount }),
          event({ socialAccountId: otherAccount }),
          event({ socialAccountId: randomUUID() }),
        ],
      }).expect(200);
      expect(own.body).toMatchObject({ stored: 2, refused: 2 });
      expect(own.body.refusals).toEqual([
        { index: 2, field: 'socialAccountId', message: expect.any(String) },
        { index: 3, field: 'socialAccountId', message: expect.any(String) },
      ]);

      // A member scoped to the Shop unit records for the Shop's account only.
      const scoped = await send(shopOperator, {
        events: [event({ socialAccountId: shopAccount }), event({ socialAccountId: rootAccount })],
      }).expect(200);
      expect(scoped.body).toMatchObject({
        stored: 1,
        refused: 1,
        refusals: [{ index: 1, field: 'socialAccountId' }],
      });

      // An agency: only accounts authorized to it for analytics, and only while the authorization lasts.
      const viaAgency = () =>
        t
          .http()
          .post(batchUrl(agency))
          .set(agencyOperator.auth)
          .send({
            events: [
              event({ socialAccountId: agencyAnalyticsAccount }),
              event({ socialAccountId: agencyPublishOnlyAccount }),
            ],
          })
          .expect(200);
      const agencyRes = await viaAgency();
      expect(agencyRes.body).toMatchObject({
        stored: 1,
        refused: 1,
        refusals: [{ index: 1, field: 'socialAccountId' }],
      });
      await t.db.query(
        `UPDATE account_authorizations SET status = 'revoked' WHERE id IN
           (SELECT authorization_id FROM account_authorization_accounts WHERE account_id = $1)`,
        [agencyAnalyticsAccount],
      );
      const after = await viaAgency();
      expect(after.body).toMatchObject({ stored: 0, refused: 2 });
    });
  });

  describe('POST /events/import (NDJSON)', () => {
    const ndjson = (events: unknown[]) =>
      events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n');
    const importAs = (user: TestUser, body: string, org = brand) =>
      t.http().post(importUrl(org)).set(user.auth).set('Content-Type', 'application/x-ndjson').send(body);

    it('counts stored, duplicate and refused lines and names the refused lines', async () => {
      const before = await stored(brand);
      const repeated = event();
      const body = [
        ndjson([event(), repeated, repeated]),
        '',
        '{not json',
        ndjson([event({ type: 'nope' }), event({ userId: 'u-1', anonymousId: undefined })]),
        '[1, 2]',
      ].join('\n');
      const res = await importAs(brandOperator, `${body}\n`).expect(200);
      expect(res.body).toEqual({
        stored: 3,
        duplicates: 1,
        refused: 3,
        firstRefusals: [
          { line: 5, field: '', message: 'the line is not valid JSON' },
          { line: 6, field: 'type', message: expect.any(String) },
          { line: 8, field: '', message: expect.any(String) },
        ],
      });
      expect(await stored(brand)).toBe(before + 3);
      // The same file again: everything already there is a duplicate.
      const again = await importAs(brandOperator, body).expect(200);
      expect(again.body).toMatchObject({ stored: 0, duplicates: 4, refused: 3 });
    });

    it('streams a body much larger than BODY_LIMIT_BYTES, in batches, keeping at most 20 refusals', async () => {
      const before = await stored(brand);
      const padding = 'p'.repeat(300);
      const lines: string[] = [];
      const total = 4_500;
      for (let i = 0; i < total; i++) {
        lines.push(
          i % 100 === 7
            ? JSON.stringify(event({ type: 'bogus' }))
            : JSON.stringify(event({ anonymousId: `imp-${i}`, properties: { padding } })),
        );
      }
      const body = lines.join('\n');
      const limit = Number(process.env.BODY_LIMIT_BYTES ?? 1_048_576);
      expect(Buffer.byteLength(body)).toBeGreaterThan(limit);
      // The same bytes as a JSON body are refused by the usual limit.
      await t
        .http()
        .post(batchUrl(brand))
        .set(brandOperator.auth)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ events: lines.map((l) => JSON.parse(l)) }))
        .expect(413);

      const res = await importAs(brandOperator, body).expect(200);
      const refusedLines = lines.map((_, i) => i).filter((i) => i % 100 === 7);
      expect(res.body.stored).toBe(total - refusedLines.length);
      expect(res.body.refused).toBe(refusedLines.length);
      expect(res.body.duplicates).toBe(0);
      expect(res.body.firstRefusals).toHaveLength(20);
      expect(res.body.firstRefusals.map((r: { line: number }) => r.line)).toEqual(
        refusedLines.slice(0, 20).map((i) => i + 1),
      );
      expect(await stored(brand)).toBe(before + total - refusedLines.length);
    });

    it('refuses a line longer than 64 KiB, another media type, wrong roles and other tenants', async () => {
      await importAs(brandOperator, `${JSON.stringify(event())}\n${'x'.repeat(70_000)}\n`).expect(400);
      const json = await t
        .http()
        .post(importUrl(brand))
        .set(brandOperator.auth)
        .send({ events: [event()] })
        .expect(415);
      expect(json.body.code).toBe('unsupported_media_type');
      // And NDJSON sent to a JSON endpoint is refused, not walked as an object.
      const streamed = await t
        .http()
        .post(batchUrl(brand))
        .set(brandOperator.auth)
        .set('Content-Type', 'application/x-ndjson')
        .send(ndjson([event()]))
        .expect(415);
      expect(streamed.body.code).toBe('unsupported_media_type');
      await t
        .http()
        .post(`/api/v1/orgs/${brand.id}/api-keys`)
        .set(brandOwner.auth)
        .set('Content-Type', 'application/x-ndjson')
        .send('{"name":"x"}')
        .expect(415);
      await importAs(brandViewer, ndjson([event()])).expect(403);
      await importAs(otherOwner, ndjson([event()])).expect(404);
    });
  });

  describe('analytics settings (retention window)', () => {
    let settingsBrand: FixtureOrg;
    let settingsOwner: TestUser;
    let settingsAnalyst: TestUser;
    let unitAnalyst: TestUser;
    let settingsOperator: TestUser;
    const url = () => `/api/v1/orgs/${settingsBrand.id}/analytics/settings`;

    beforeAll(async () => {
      settingsBrand = await insertOrg(t, { kind: 'brand' });
      const unit = await insertUnit(t, settingsBrand, settingsBrand.rootUnitId, 'Team');
      [settingsOwner, settingsAnalyst, unitAnalyst, settingsOperator] = await Promise.all(
        Array.from({ length: 4 }, () => makeUser(t)),
      );
      await insertMember(t, settingsBrand, settingsOwner.id, { grants: [{ role: 'owner' }] });
      await insertMember(t, settingsBrand, settingsAnalyst.id, { grants: [{ role: 'analyst' }] });
      await insertMember(t, settingsBrand, unitAnalyst.id, {
        unitId: unit,
        grants: [{ role: 'analyst', unitId: unit, scope: 'subtree' }],
      });
      await insertMember(t, settingsBrand, settingsOperator.id, { grants: [{ role: 'operator' }] });
    });

    it('answers the default, replaces it under If-Match, and applies it to the next batch', async () => {
      const first = await t.http().get(url()).set(settingsOperator.auth).expect(200);
      expect(first.body).toEqual({ retentionDays: 400, isDefault: true });
      expect(first.headers.etag).toBe('W/"0"');

      const saved = await t
        .http()
        .put(url())
        .set(settingsAnalyst.auth)
        .set('If-Match', 'W/"0"')
        .send({ retentionDays: 90 })
        .expect(200);
      expect(saved.body).toEqual({ retentionDays: 90, isDefault: false });
      expect(saved.headers.etag).toBe('W/"1"');
      const stale = await t
        .http()
        .put(url())
        .set(settingsAnalyst.auth)
        .set('If-Match', 'W/"0"')
        .send({ retentionDays: 120 })
        .expect(412);
      expect(stale.body.code).toBe('precondition_failed');

      const now = t.clock.now().getTime();
      const res = await t
        .http()
        .post(`/api/v1/orgs/${settingsBrand.id}/events/batch`)
        .set(settingsOperator.auth)
        .send({
          events: [
            event({ occurredAt: new Date(now - 89 * DAY).toISOString() }),
            event({ occurredAt: new Date(now - 91 * DAY).toISOString() }),
          ],
        })
        .expect(200);
      expect(res.body).toMatchObject({
        stored: 1,
        refused: 1,
        refusals: [{ index: 1, field: 'occurredAt' }],
      });
      // Back to a window the partition-job tests below expect to be the longest (400 days).
      await t.http().put(url()).set(settingsOwner.auth).send({ retentionDays: 400 }).expect(200);
    });

    it('refuses a window out of bounds, a manager scoped below the organization, readers and other tenants', async () => {
      for (const retentionDays of [29, 1831, 90.5, '90']) {
        await t.http().put(url()).set(settingsOwner.auth).send({ retentionDays }).expect(400);
      }
      await t.http().put(url()).set(settingsOwner.auth).send({ retentionDays: 90, extra: 1 }).expect(400);
      const scoped = await t.http().put(url()).set(unitAnalyst.auth).send({ retentionDays: 90 }).expect(403);
      expect(scoped.body.code).toBe('permission_denied');
      await t.http().put(url()).set(settingsOperator.auth).send({ retentionDays: 90 }).expect(403);
      await t.http().get(url()).set(otherOwner.auth).expect(404);
      await t.http().put(url()).set(otherOwner.auth).send({ retentionDays: 90 }).expect(404);
    });
  });

  describe('partition job', () => {
    const partitions = async (): Promise<string[]> => {
      const rows: { name: string }[] = await t.db.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'analytics_events'::regclass ORDER BY 1`,
      );
      return rows.map((r) => r.name);
    };
    const nameOf = (year: number, month: number) => {
      const d = new Date(Date.UTC(year, month, 1));
      return `analytics_events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    };

    it('creates the current and next three months ahead, and a past month on demand', async () => {
      const now = t.clock.now();
      const [y, m] = [now.getUTCFullYear(), now.getUTCMonth()];
      const run = await t.get(EventRetentionJob).run();
      const names = await partitions();
      for (let n = 0; n <= 3; n++) expect(names).toContain(nameOf(y, m + n));
      expect(run.created).toEqual(expect.arrayContaining([nameOf(y, m + 2), nameOf(y, m + 3)]));
      expect(run.dropped).toEqual([]);
      // A second run (another replica, the next hour) changes nothing.
      expect((await t.get(EventRetentionJob).run()).created).toEqual([]);
      // An event of a past month (the one of 399 days ago, stored above) created its month as it came.
      const past = new Date(now.getTime() - 399 * DAY);
      expect(names).toContain(nameOf(past.getUTCFullYear(), past.getUTCMonth()));
    });

    it('deletes events past an organization’s shorter retention and drops months past the longest', async () => {
      const otherBefore = await stored(otherBrand);
      expect(otherBefore).toBeGreaterThan(0);
      const brandBefore = await stored(brand);
      const oldest: { at: Date }[] = await t.db.query(
        `SELECT min(occurred_at) AS at FROM analytics_events WHERE org_id = $1`,
        [otherBrand.id],
      );
      // 31 days after the other brand's oldest event, its 30-day window has passed that event.
      t.clock.set(new Date(oldest[0].at.getTime() + 31 * DAY));
      // The brand keeps the default 400 days: only whole months past that window may go.
      const cutoff = new Date(t.clock.now().getTime() - 400 * DAY);
      const [{ n: brandKept }] = await t.db.query(
        `SELECT count(*)::int AS n FROM analytics_events
          WHERE org_id = $1 AND occurred_at >= date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
        [brand.id, cutoff],
      );
      const first = await t.get(EventRetentionJob).run();
      expect(first.deleted).toBeGreaterThanOrEqual(1);
      const [{ n: left }] = await t.db.query(
        `SELECT count(*)::int AS n FROM analytics_events WHERE org_id = $1 AND occurred_at < $2`,
        [otherBrand.id, new Date(t.clock.now().getTime() - 30 * DAY)],
      );
      expect(left).toBe(0);
      expect(await stored(brand)).toBe(brandKept);
      expect(brandKept).toBeGreaterThan(brandBefore - 5);

      // Two years on, every month holding events is past the default 400 days: dropped with their ids.
      const namesBefore = await partitions();
      t.clock.set(new Date(t.clock.now().getTime() + 730 * DAY));
      const later = await t.get(EventRetentionJob).run();
      expect(later.dropped.length).toBeGreaterThan(0);
      for (const name of later.dropped) expect(namesBefore).toContain(name);
      expect(await stored(brand)).toBe(0);
      const [{ n: ids }] = await t.db.query(`SELECT count(*)::int AS n FROM analytics_event_ids`);
      expect(ids).toBe(0);
      const now = t.clock.now();
      expect(await partitions()).toContain(nameOf(now.getUTCFullYear(), now.getUTCMonth() + 3));
    });
  });
});
