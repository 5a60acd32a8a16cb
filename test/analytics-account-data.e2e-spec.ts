import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;

/**
 * A social account's platform data per day (daily metrics, audience portraits): imported by the brand
 * or an agency authorized for analytics, replaced on re-import, listed for a range of days, and
 * reached only through the account access rule.
 */
describe('analytics: social account platform data', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let agency: FixtureOrg;
  let otherBrand: FixtureOrg;
  let brandOwner: TestUser;
  let brandAnalyst: TestUser;
  let brandViewer: TestUser;
  let shopOperator: TestUser;
  let agencyOperator: TestUser;
  let otherOwner: TestUser;
  let account: string;
  let shopAccount: string;
  let publishOnlyAccount: string;
  let authorizationId: string;

  const metricsUrl = (org: FixtureOrg, accountId: string) =>
    `/api/v1/orgs/${org.id}/social-accounts/${accountId}/daily-metrics`;
  const portraitsUrl = (org: FixtureOrg, accountId: string) =>
    `/api/v1/orgs/${org.id}/social-accounts/${accountId}/audience-portraits`;
  /** The Shanghai calendar day `n` days before the test clock's. */
  const dayAgo = (n: number) =>
    new Date(t.clock.now().getTime() + 8 * 3_600_000 - n * DAY).toISOString().slice(0, 10);
  const metrics = (day: string, followers: number) => ({
    day,
    followers,
    plays: followers * 10,
    avgPlayTimeMs: 12_500,
    completionRateBp: 3_150,
    likes: 40,
    comments: 7,
    shares: 3,
  });

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    agency = await insertOrg(t, { kind: 'agency' });
    otherBrand = await insertOrg(t, { kind: 'brand' });
    const shop = await insertUnit(t, brand, brand.rootUnitId, 'Shop');
    [brandOwner, brandAnalyst, brandViewer, shopOperator, agencyOperator, otherOwner] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    await insertMember(t, brand, brandOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, brandAnalyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, brand, brandViewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, brand, shopOperator.id, {
      unitId: shop,
      grants: [{ role: 'operator', unitId: shop, scope: 'subtree' }],
    });
    await insertMember(t, agency, agencyOperator.id, { grants: [{ role: 'operator' }] });
    await insertMember(t, otherBrand, otherOwner.id, { grants: [{ role: 'owner' }] });
    account = await insertAccount(t, brand);
    shopAccount = await insertAccount(t, brand, { unitId: shop });
    publishOnlyAccount = await insertAccount(t, brand);
    authorizationId = await insertAuthorization(t, brand, agency, [account], { scopes: ['analytics'] });
    await insertAuthorization(t, brand, agency, [publishOnlyAccount], { scopes: ['publish'] });
    await insertAssignment(t, agency, account);
    await insertAssignment(t, agency, publishOnlyAccount);
  });
  afterAll(() => t.close());

  it('imports daily metrics idempotently per (account, day): a re-import replaces the day', async () => {
    const days = [metrics(dayAgo(3), 100), metrics(dayAgo(2), 110), metrics(dayAgo(1), 125)];
    const first = await t
      .http()
      .post(metricsUrl(brand, account))
      .set(brandOwner.auth)
      .send({ days })
      .expect(200);
    expect(first.body).toEqual({ created: 3, replaced: 0 });

    // The agency re-imports one day with corrected numbers and adds today.
    const corrected = { ...metrics(dayAgo(1), 130), completionRateBp: 4_000 };
    const second = await t
      .http()
      .post(metricsUrl(agency, account))
      .set(agencyOperator.auth)
      .send({ days: [corrected, metrics(dayAgo(0), 140)] })
      .expect(200);
    expect(second.body).toEqual({ created: 1, replaced: 1 });

    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM social_account_daily_metrics WHERE account_id = $1`,
      [account],
    );
    expect(n).toBe(4);

    // Brand and agency read the same days, in order.
    for (const [org, user] of [
      [brand, brandAnalyst],
      [agency, agencyOperator],
    ] as const) {
      const listed = await t
        .http()
        .get(metricsUrl(org, account))
        .query({ from: dayAgo(2), to: dayAgo(0) })
        .set(user.auth)
        .expect(200);
      expect(listed.body.items.map((i: { day: string; followers: number }) => [i.day, i.followers])).toEqual([
        [dayAgo(2), 110],
        [dayAgo(1), 130],
        [dayAgo(0), 140],
      ]);
      expect(listed.body.items[1]).toMatchObject({
        ...corrected,
        importedByOrgId: agency.id,
        importedAt: t.clock.now().toISOString(),
      });
    }
  });

  it('lists the last 30 days up to today when no range is given', async () => {
    await t
      .http()
      .post(metricsUrl(brand, account))
      .set(brandOwner.auth)
      .send({ days: [metrics(dayAgo(30), 1), metrics(dayAgo(29), 2)] })
      .expect(200, { created: 2, replaced: 0 });
    const listed = await t.http().get(metricsUrl(brand, account)).set(brandAnalyst.auth).expect(200);
    expect(listed.body.items.map((i: { day: string }) => i.day)).toEqual([
      dayAgo(29),
      dayAgo(3),
      dayAgo(2),
      dayAgo(1),
      dayAgo(0),
    ]);
  });

  it('imports audience portraits per day, replacing a day whole', async () => {
    const day = dayAgo(1);
    const portrait = {
      day,
      ageBands: [
        { key: '18-23', shareBp: 3_000 },
        { key: '24-30', shareBp: 4_500 },
        { key: '31-40', shareBp: 2_500 },
      ],
      genders: [
        { key: 'female', shareBp: 6_200 },
        { key: 'male', shareBp: 3_800 },
      ],
      regions: [
        { key: '广东', shareBp: 2_100 },
        { key: '浙江', shareBp: 1_300 },
      ],
      devices: [{ key: 'iPhone', shareBp: 5_000 }],
      interests: [{ key: '美妆', shareBp: 7_000 }],
    };
    await t
      .http()
      .post(portraitsUrl(brand, account))
      .set(brandOwner.auth)
      .send({ days: [portrait] })
      .expect(200, { created: 1, replaced: 0 });
    const again = await t
      .http()
      .post(portraitsUrl(brand, account))
      .set(brandOwner.auth)
      .send({ days: [{ day, genders: [{ key: 'unknown', shareBp: 10_000 }] }] })
      .expect(200);
    expect(again.body).toEqual({ created: 0, replaced: 1 });

    const listed = await t
      .http()
      .get(portraitsUrl(brand, account))
      .query({ from: day, to: day })
      .set(brandAnalyst.auth)
      .expect(200);
    expect(listed.body.items).toEqual([
      {
        day,
        ageBands: [],
        genders: [{ key: 'unknown', shareBp: 10_000 }],
        regions: [],
        devices: [],
        interests: [],
        importedByOrgId: brand.id,
        importedAt: t.clock.now().toISOString(),
      },
    ]);
  });

  it('refuses bad input with the field, storing nothing of the request', async () => {
    const bad = async (body: object, field: string, url = metricsUrl(brand, account)) => {
      const res = await t.http().post(url).set(brandOwner.auth).send(body).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    const before = await t.db.query(`SELECT count(*)::int AS n FROM social_account_daily_metrics`);
    await bad({ days: [metrics(dayAgo(9), 1), { ...metrics(dayAgo(8), 1), plays: -1 }] }, 'days.1.plays');
    await bad({ days: [{ ...metrics(dayAgo(8), 1), completionRateBp: 10_001 }] }, 'days.0.completionRateBp');
    await bad({ days: [metrics('2026-02-30', 1)] }, 'days.0.day');
    await bad({ days: [metrics(dayAgo(5), 1), metrics(dayAgo(5), 2)] }, 'days');
    await bad({ days: [metrics(dayAgo(-2), 1)] }, 'days.0.day');
    await bad({ days: [] }, 'days');
    await bad({ days: [{ ...metrics(dayAgo(4), 1), extra: 1 }] }, 'days.0.extra');
    const after = await t.db.query(`SELECT count(*)::int AS n FROM social_account_daily_metrics`);
    expect(after[0].n).toBe(before[0].n);

    await bad(
      { days: [{ day: dayAgo(3), genders: [{ key: 'other', shareBp: 100 }] }] },
      'days.0.genders',
      portraitsUrl(brand, account),
    );
    await bad(
      {
        days: [
          {
            day: dayAgo(3),
            regions: [
              { key: 'A', shareBp: 6_000 },
              { key: 'B', shareBp: 6_000 },
            ],
          },
        ],
      },
      'days.0.regions',
      portraitsUrl(brand, account),
    );
    const range = await t
      .http()
      .get(metricsUrl(brand, account))
      .query({ from: dayAgo(0), to: dayAgo(3) })
      .set(brandAnalyst.auth)
      .expect(400);
    expect(range.body.errors[0].field).toBe('to');
    await t
      .http()
      .get(metricsUrl(brand, account))
      .query({ from: '2024-01-01', to: '2025-06-01' })
      .set(brandAnalyst.auth)
      .expect(400);
  });

  it('answers 403 without the permission, 404 outside the access rule, 403 without the analytics scope', async () => {
    const days = [metrics(dayAgo(1), 1)];
    // Analysts read, they do not import; viewers neither.
    await t.http().post(metricsUrl(brand, account)).set(brandAnalyst.auth).send({ days }).expect(403);
    await t
      .http()
      .get(metricsUrl(brand, account))
      .query({ from: dayAgo(1), to: dayAgo(1) })
      .set(brandViewer.auth)
      .expect(403);
    // Another tenant, and its own org path with the brand's account.
    await t.http().post(metricsUrl(brand, account)).set(otherOwner.auth).send({ days }).expect(404);
    await t.http().post(metricsUrl(otherBrand, account)).set(otherOwner.auth).send({ days }).expect(404);
    // A member scoped to the Shop unit: the Shop's account only.
    await t.http().post(metricsUrl(brand, shopAccount)).set(shopOperator.auth).send({ days }).expect(200);
    await t.http().post(metricsUrl(brand, account)).set(shopOperator.auth).send({ days }).expect(404);
    // An agency authorized for publishing only.
    const scopeMissing = await t
      .http()
      .post(metricsUrl(agency, publishOnlyAccount))
      .set(agencyOperator.auth)
      .send({ days })
      .expect(403);
    expect(scopeMissing.body.code).toBe('authorization_scope_missing');
    // And once the analytics authorization ends, the agency sees nothing.
    await t.db.query(`UPDATE account_authorizations SET status = 'revoked' WHERE id = $1`, [authorizationId]);
    await t
      .http()
      .get(metricsUrl(agency, account))
      .query({ from: dayAgo(3), to: dayAgo(0) })
      .set(agencyOperator.auth)
      .expect(404);
    await t
      .http()
      .get(`${metricsUrl(brand, 'not-a-uuid')}?from=2026-01-01&to=2026-01-02`)
      .set(brandAnalyst.auth)
      .expect(400);
  });
});
