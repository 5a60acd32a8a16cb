import { AuthorizationExpiryJob } from '../src/modules/social-accounts/authorization-expiry.job';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { apiClient, expectData } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit, PLATFORM_ORG } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;

/**
 * Social accounts end to end: the brand owns accounts, offers them to an agency, the agency accepts
 * and assigns them, and access follows the authorization on the very next request.
 */
describe('social accounts', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let agency: FixtureOrg;
  let otherBrand: FixtureOrg;
  let brandOwner: TestUser;
  let brandViewer: TestUser;
  let agencyOwner: TestUser;
  let agencyLead: TestUser;
  let operatorA: TestUser;
  let operatorB: TestUser;
  let otherOwner: TestUser;
  let platformStaff: TestUser;
  let agencyTeamA: string;
  let agencyTeamB: string;
  let brandShop: string;

  const api = (path: string) => `/api/v1${path}`;
  const problem = (res: { headers: Record<string, string>; body: { code: string } }, code: string) => {
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
  };
  const usageCount = async (accountId: string, action: string) => {
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM account_usage_records WHERE account_id = $1 AND action = $2`,
      [accountId, action],
    );
    return n as number;
  };
  const createAccount = async (externalUserId: string, unitId = brand.rootUnitId) => {
    const res = await t
      .http()
      .post(api(`/orgs/${brand.id}/social-accounts`))
      .set(brandOwner.auth)
      .send({
        platform: 'douyin',
        handle: `h_${externalUserId}`,
        displayName: 'Brand Official',
        externalUserId,
        unitId,
      })
      .expect(201);
    return res.body.id as string;
  };
  const offer = (accountIds: string[], body: Record<string, unknown> = {}) =>
    t
      .http()
      .post(api(`/orgs/${brand.id}/authorizations`))
      .set(brandOwner.auth)
      .send({
        agencyOrgId: agency.id,
        accountIds,
        scopes: ['publish', 'analytics'],
        validUntil: new Date(t.clock.now().getTime() + 30 * DAY).toISOString(),
        ...body,
      });

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand', name: 'Brand Co' });
    agency = await insertOrg(t, { kind: 'agency', name: 'Agency Co' });
    otherBrand = await insertOrg(t, { kind: 'brand', name: 'Other Brand' });
    brandShop = await insertUnit(t, brand, brand.rootUnitId, 'Shop');
    agencyTeamA = await insertUnit(t, agency, agency.rootUnitId, 'Team A');
    agencyTeamB = await insertUnit(t, agency, agency.rootUnitId, 'Team B');
    [brandOwner, brandViewer, agencyOwner, agencyLead, operatorA, operatorB, otherOwner, platformStaff] =
      await Promise.all(Array.from({ length: 8 }, () => makeUser(t)));
    await insertMember(t, brand, brandOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, brandViewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, agency, agencyOwner.id, { grants: [{ role: 'owner' }] });
    // A team lead assigns within Team A only; operators act on what is assigned to them personally.
    await insertMember(t, agency, agencyLead.id, {
      unitId: agencyTeamA,
      grants: [
        { permission: 'assignments:manage', unitId: agencyTeamA, scope: 'subtree' },
        { permission: 'social-accounts:read', unitId: agencyTeamA, scope: 'subtree' },
      ],
    });
    for (const [operator, unitId] of [
      [operatorA, agencyTeamA],
      [operatorB, agencyTeamB],
    ] as const) {
      await insertMember(t, agency, operator.id, {
        unitId,
        grants: [{ role: 'operator', unitId, scope: 'self' }],
      });
    }
    await insertMember(t, otherBrand, otherOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, PLATFORM_ORG, platformStaff.id, { grants: [{ role: 'admin' }] });
  });
  afterAll(() => t.close());

  describe('accounts of a brand', () => {
    it('registers an account and records it; the same platform account twice is 409', async () => {
      const res = await t
        .http()
        .post(api(`/orgs/${brand.id}/social-accounts`))
        .set(brandOwner.auth)
        .send({
          platform: 'douyin',
          handle: 'brand_official',
          displayName: '品牌官方',
          externalUserId: 'dy-1001',
          unitId: brandShop,
        })
        .expect(201);
      expect(res.body).toMatchObject({
        orgId: brand.id,
        unitId: brandShop,
        platform: 'douyin',
        status: 'active',
        ownership: 'owned',
        authorizedScopes: [],
      });
      expect(res.headers.etag).toBe('W/"1"');
      expect(await usageCount(res.body.id, 'account.created')).toBe(1);

      const dup = await t
        .http()
        .post(api(`/orgs/${brand.id}/social-accounts`))
        .set(brandOwner.auth)
        .send({
          platform: 'douyin',
          handle: 'again',
          displayName: 'x',
          externalUserId: 'dy-1001',
          unitId: brandShop,
        })
        .expect(409);
      problem(dup, 'duplicate');
    });

    it('refuses bad input with problem+json: unknown field, unknown platform, missing unit', async () => {
      const base = {
        platform: 'douyin',
        handle: 'h',
        displayName: 'd',
        externalUserId: 'dy-x',
        unitId: brandShop,
      };
      for (const body of [
        { ...base, password: 'secret' },
        { ...base, platform: 'myspace' },
        { ...base, unitId: undefined },
        { ...base, externalUserId: 'has space' },
      ]) {
        const res = await t
          .http()
          .post(api(`/orgs/${brand.id}/social-accounts`))
          .set(brandOwner.auth)
          .send(body);
        expect(res.status).toBe(400);
        problem(res, 'validation_failed');
      }
      const badId = await t
        .http()
        .get(api(`/orgs/${brand.id}/social-accounts/not-a-uuid`))
        .set(brandOwner.auth);
      expect(badId.status).toBe(400);
    });

    it('lets a viewer read but not register; an agency cannot own accounts', async () => {
      await t
        .http()
        .get(api(`/orgs/${brand.id}/social-accounts`))
        .set(brandViewer.auth)
        .expect(200);
      const denied = await t
        .http()
        .post(api(`/orgs/${brand.id}/social-accounts`))
        .set(brandViewer.auth)
        .send({
          platform: 'douyin',
          handle: 'h',
          displayName: 'd',
          externalUserId: 'dy-v',
          unitId: brandShop,
        })
        .expect(403);
      problem(denied, 'permission_denied');
      const agencyOwned = await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts`))
        .set(agencyOwner.auth)
        .send({
          platform: 'douyin',
          handle: 'h',
          displayName: 'd',
          externalUserId: 'dy-a',
          unitId: agency.rootUnitId,
        })
        .expect(422);
      problem(agencyOwned, 'unprocessable');
    });

    it("answers 404 for another tenant's account, as if it did not exist", async () => {
      const foreign = await insertAccount(t, otherBrand);
      const res = await t
        .http()
        .get(api(`/orgs/${brand.id}/social-accounts/${foreign}`))
        .set(brandOwner.auth);
      expect(res.status).toBe(404);
      problem(res, 'not_found');
      await t
        .http()
        .get(api(`/orgs/${otherBrand.id}/social-accounts/${foreign}`))
        .set(brandOwner.auth)
        .expect(404);
    });

    it('edits with If-Match, freezes with a reason, and refuses a stale write with 412', async () => {
      const id = await createAccount('dy-edit');
      const edited = await t
        .http()
        .patch(api(`/orgs/${brand.id}/social-accounts/${id}`))
        .set(brandOwner.auth)
        .set('If-Match', 'W/"1"')
        .send({ displayName: 'Renamed' })
        .expect(200);
      expect(edited.body.displayName).toBe('Renamed');
      expect(edited.headers.etag).toBe('W/"2"');
      await t
        .http()
        .patch(api(`/orgs/${brand.id}/social-accounts/${id}`))
        .set(brandOwner.auth)
        .set('If-Match', 'W/"1"')
        .send({ displayName: 'Stale' })
        .expect(412);
      const noReason = await t
        .http()
        .patch(api(`/orgs/${brand.id}/social-accounts/${id}`))
        .set(brandOwner.auth)
        .send({ status: 'frozen' })
        .expect(400);
      problem(noReason, 'validation_failed');
      const frozen = await t
        .http()
        .patch(api(`/orgs/${brand.id}/social-accounts/${id}`))
        .set(brandOwner.auth)
        .send({ status: 'frozen', statusReason: 'contract under review' })
        .expect(200);
      expect(frozen.body).toMatchObject({ status: 'frozen', statusReason: 'contract under review' });
      expect(await usageCount(id, 'account.updated')).toBe(1);
      expect(await usageCount(id, 'account.status_changed')).toBe(1);
    });
  });

  describe('authorization lifecycle and its effect on access', () => {
    let accountId: string;
    let authorizationId: string;
    const operatorGet = (user: TestUser = operatorA) =>
      t
        .http()
        .get(api(`/orgs/${agency.id}/social-accounts/${accountId}`))
        .set(user.auth);

    beforeAll(async () => {
      accountId = await createAccount('dy-lifecycle');
    });

    it('an offer grants nothing until the agency accepts it', async () => {
      const res = await offer([accountId]).expect(201);
      authorizationId = res.body.id;
      expect(res.body).toMatchObject({
        status: 'offered',
        brandOrgId: brand.id,
        agencyOrgId: agency.id,
        scopes: ['publish', 'analytics'],
        accounts: [{ id: accountId, handle: 'h_dy-lifecycle' }],
      });
      expect(await usageCount(accountId, 'authorization.offered')).toBe(1);
      await operatorGet(agencyOwner).expect(404);

      const received = await t
        .http()
        .get(api(`/orgs/${agency.id}/authorizations?direction=received&status=offered`))
        .set(agencyOwner.auth)
        .expect(200);
      expect(received.body.items.map((a: { id: string }) => a.id)).toContain(authorizationId);
      const granted = await t
        .http()
        .get(api(`/orgs/${brand.id}/authorizations`))
        .set(brandOwner.auth)
        .expect(200);
      expect(granted.body.items.map((a: { id: string }) => a.id)).toContain(authorizationId);
    });

    it('only the agency accepts, and only at organization scope', async () => {
      await t
        .http()
        .post(api(`/orgs/${brand.id}/authorizations/${authorizationId}/accept`))
        .set(brandOwner.auth)
        .expect(404);
      await t
        .http()
        .post(api(`/orgs/${agency.id}/authorizations/${authorizationId}/accept`))
        .set(operatorA.auth)
        .expect(403);
      const accepted = await t
        .http()
        .post(api(`/orgs/${agency.id}/authorizations/${authorizationId}/accept`))
        .set(agencyOwner.auth)
        .expect(200);
      expect(accepted.body).toMatchObject({ status: 'active', decidedBy: agencyOwner.id });
      expect(await usageCount(accountId, 'authorization.accepted')).toBe(1);
      const again = await t
        .http()
        .post(api(`/orgs/${agency.id}/authorizations/${authorizationId}/accept`))
        .set(agencyOwner.auth)
        .expect(409);
      problem(again, 'invalid_state');
      expect(again.body.currentState).toBe('active');
    });

    it('an agency member needs an assignment their own scope covers', async () => {
      // Not yet assigned, the account sits at the agency's root: out of an operator's scope, so 404.
      const unassigned = await operatorGet().expect(404);
      problem(unassigned, 'not_found');
      // ... and out of the Team A lead's too: only someone whose scope covers the whole agency hands it out.
      await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts/${accountId}/assignments`))
        .set(agencyLead.auth)
        .send({ unitId: agencyTeamA })
        .expect(404);
      await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts/${accountId}/assignments`))
        .set(agencyOwner.auth)
        .send({ unitId: agencyTeamA })
        .expect(201);

      // Now at Team A, the Team A lead may assign within Team A, not Team B.
      const outside = await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts/${accountId}/assignments`))
        .set(agencyLead.auth)
        .send({ unitId: agencyTeamB, memberId: operatorB.id })
        .expect(403);
      problem(outside, 'permission_denied');
      const assigned = await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts/${accountId}/assignments`))
        .set(agencyLead.auth)
        .send({ unitId: agencyTeamA, memberId: operatorA.id })
        .expect(201);
      expect(assigned.body).toMatchObject({
        unitId: agencyTeamA,
        memberId: operatorA.id,
        unitName: 'Team A',
      });
      expect(await usageCount(accountId, 'assignment.added')).toBe(2);
      await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts/${accountId}/assignments`))
        .set(agencyLead.auth)
        .send({ unitId: agencyTeamA, memberId: operatorA.id })
        .expect(409);

      const seen = await operatorGet().expect(200);
      expect(seen.body).toMatchObject({
        id: accountId,
        ownership: 'authorized',
        authorizedScopes: ['analytics', 'publish'],
      });
      const listA = await t
        .http()
        .get(api(`/orgs/${agency.id}/social-accounts`))
        .set(operatorA.auth)
        .expect(200);
      expect(listA.body.items.map((a: { id: string }) => a.id)).toEqual([accountId]);
      // Operator B holds the same role with a self scope, but the account is not theirs.
      const listB = await t
        .http()
        .get(api(`/orgs/${agency.id}/social-accounts`))
        .set(operatorB.auth)
        .expect(200);
      expect(listB.body.items).toEqual([]);
      await operatorGet(operatorB).expect(404);
    });

    it("a unit-scoped manager cannot take a sibling unit's account, nor learn that it exists", async () => {
      // A second account of the same authorization, assigned only to Team B.
      const westAccount = await insertAccount(t, brand);
      await t.db.query(
        `INSERT INTO account_authorization_accounts (authorization_id, account_id) VALUES ($1, $2)`,
        [authorizationId, westAccount],
      );
      await insertAssignment(t, agency, westAccount, { unitId: agencyTeamB });
      const snapshot = async () => ({
        assignments: await t.db.query(
          `SELECT unit_id, member_id FROM account_assignments WHERE account_id = $1 ORDER BY unit_id`,
          [westAccount],
        ),
        usage: await t.db.query(
          `SELECT count(*)::int AS n FROM account_usage_records WHERE account_id = $1`,
          [westAccount],
        ),
      });
      const before = await snapshot();

      const path = `/orgs/${agency.id}/social-accounts/${westAccount}`;
      const take = await t
        .http()
        .post(api(`${path}/assignments`))
        .set(agencyLead.auth)
        .send({ unitId: agencyTeamA })
        .expect(404);
      problem(take, 'not_found');
      problem(
        await t
          .http()
          .get(api(`${path}/assignments`))
          .set(agencyLead.auth)
          .expect(404),
        'not_found',
      );
      problem(await t.http().get(api(path)).set(agencyLead.auth).expect(404), 'not_found');
      const list = await t
        .http()
        .get(api(`/orgs/${agency.id}/social-accounts`))
        .set(agencyLead.auth)
        .expect(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(westAccount);
      expect(await snapshot()).toEqual(before);

      // The agency owner sees where it is, and Team B's operator reads it.
      const seen = await t
        .http()
        .get(api(`${path}/assignments`))
        .set(agencyOwner.auth)
        .expect(200);
      expect(seen.body.items.map((a: { unitId: string }) => a.unitId)).toEqual([agencyTeamB]);
    });

    it('the brand cannot make agency assignments; bad assignment input is 400/422', async () => {
      const brandSide = await t
        .http()
        .post(api(`/orgs/${brand.id}/social-accounts/${accountId}/assignments`))
        .set(brandOwner.auth)
        .send({ unitId: brand.rootUnitId })
        .expect(422);
      problem(brandSide, 'unprocessable');
      await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts/${accountId}/assignments`))
        .set(agencyOwner.auth)
        .send({ unitId: agencyTeamA, extra: true })
        .expect(400);
      const strangerUnit = await t
        .http()
        .post(api(`/orgs/${agency.id}/social-accounts/${accountId}/assignments`))
        .set(agencyOwner.auth)
        .send({ unitId: brand.rootUnitId })
        .expect(422);
      problem(strangerUnit, 'reference_not_found');
    });

    it('a frozen account stays visible but reads as frozen to the agency', async () => {
      await t
        .http()
        .patch(api(`/orgs/${brand.id}/social-accounts/${accountId}`))
        .set(brandOwner.auth)
        .send({ status: 'frozen', statusReason: 'audit' })
        .expect(200);
      expect((await operatorGet().expect(200)).body.status).toBe('frozen');
      await t
        .http()
        .patch(api(`/orgs/${brand.id}/social-accounts/${accountId}`))
        .set(brandOwner.auth)
        .send({ status: 'active' })
        .expect(200);
    });

    it('revoking works on the next request, for both the account and the list', async () => {
      await operatorGet().expect(200);
      const revoked = await t
        .http()
        .post(api(`/orgs/${brand.id}/authorizations/${authorizationId}/revoke`))
        .set(brandOwner.auth)
        .send({ reason: 'contract ended early' })
        .expect(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', revokeReason: 'contract ended early' });
      expect(await usageCount(accountId, 'authorization.revoked')).toBe(1);
      await operatorGet().expect(404);
      const list = await t
        .http()
        .get(api(`/orgs/${agency.id}/social-accounts`))
        .set(operatorA.auth)
        .expect(200);
      expect(list.body.items).toEqual([]);
      const twice = await t
        .http()
        .post(api(`/orgs/${brand.id}/authorizations/${authorizationId}/revoke`))
        .set(brandOwner.auth)
        .send({})
        .expect(409);
      problem(twice, 'invalid_state');
    });

    it('a declined offer grants nothing', async () => {
      const res = await offer([accountId]).expect(201);
      const declined = await t
        .http()
        .post(api(`/orgs/${agency.id}/authorizations/${res.body.id}/decline`))
        .set(agencyOwner.auth)
        .expect(200);
      expect(declined.body.status).toBe('declined');
      expect(await usageCount(accountId, 'authorization.declined')).toBe(1);
      await operatorGet().expect(404);
    });
  });

  describe('expiry', () => {
    it('ends access at validUntil on the next request; the job warns, then marks it expired', async () => {
      const accountId = await insertAccount(t, brand);
      const now = t.clock.now().getTime();
      const authorizationId = await insertAuthorization(t, brand, agency, [accountId], {
        validUntil: new Date(now + 10 * DAY),
      });
      await insertAssignment(t, agency, accountId, { unitId: agencyTeamA, memberId: operatorA.id });
      const get = () =>
        t
          .http()
          .get(api(`/orgs/${agency.id}/social-accounts/${accountId}`))
          .set(operatorA.auth);
      await get().expect(200);
      const job = t.get(AuthorizationExpiryJob);

      t.clock.advance(4 * DAY);
      expect(await job.run()).toMatchObject({ warned: 1, expired: 0 });
      expect(await job.run()).toMatchObject({ warned: 0, expired: 0 });
      await t.get(OutboxService).drain();
      const warnings = await t.db.query(
        `SELECT user_id FROM notifications WHERE type = 'social_account.authorization_expiring' AND data->>'authorizationId' = $1`,
        [authorizationId],
      );
      expect(warnings.map((w: { user_id: string }) => w.user_id).sort()).toEqual(
        [brandOwner.id, agencyOwner.id].sort(),
      );

      t.clock.advance(6 * DAY);
      // Before any job runs, access has already ended.
      await get().expect(404);
      const listed = await t
        .http()
        .get(api(`/orgs/${agency.id}/authorizations?status=expired`))
        .set(agencyOwner.auth)
        .expect(200);
      expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(authorizationId);
      const late = await t
        .http()
        .post(api(`/orgs/${agency.id}/authorizations/${authorizationId}/accept`))
        .set(agencyOwner.auth)
        .expect(409);
      expect(late.body.currentState).toBe('expired');

      expect(await job.run()).toMatchObject({ expired: 1 });
      expect(await usageCount(accountId, 'authorization.expired')).toBe(1);
      await t.get(OutboxService).drain();
      const ended = await t.db.query(
        `SELECT count(*)::int AS n FROM notifications WHERE type = 'social_account.authorization_expired' AND data->>'authorizationId' = $1`,
        [authorizationId],
      );
      expect(ended[0].n).toBe(2);
      expect(await job.run()).toMatchObject({ expired: 0 });
    });

    it('refuses an offer whose window is already over, or for accounts of another brand', async () => {
      const accountId = await createAccount('dy-window');
      const past = await offer([accountId], {
        validUntil: new Date(t.clock.now().getTime() - DAY).toISOString(),
      });
      expect(past.status).toBe(400);
      problem(past, 'validation_failed');
      const foreign = await insertAccount(t, otherBrand);
      const res = await offer([accountId, foreign]).expect(422);
      problem(res, 'reference_not_found');
      const toBrand = await offer([accountId], { agencyOrgId: otherBrand.id }).expect(422);
      problem(toBrand, 'reference_not_found');
      const badScope = await offer([accountId], { scopes: ['everything'] }).expect(400);
      problem(badScope, 'validation_failed');
    });
  });

  describe('platform suspension', () => {
    it('platform staff suspend with a reason and an end; the brand cannot lift it; it ends by itself', async () => {
      const accountId = await createAccount('dy-suspend');
      const until = new Date(t.clock.now().getTime() + 3 * DAY).toISOString();
      await t
        .http()
        .post(api(`/platform/social-accounts/${accountId}/suspension`))
        .set(brandOwner.auth)
        .send({ reason: 'spam' })
        .expect(404);
      const suspended = await t
        .http()
        .post(api(`/platform/social-accounts/${accountId}/suspension`))
        .set(platformStaff.auth)
        .send({ reason: 'repeated false advertising', until })
        .expect(200);
      expect(suspended.body).toMatchObject({
        status: 'suspended',
        statusReason: 'repeated false advertising',
        suspendedUntil: until,
      });
      const lift = await t
        .http()
        .patch(api(`/orgs/${brand.id}/social-accounts/${accountId}`))
        .set(brandOwner.auth)
        .send({ status: 'active' })
        .expect(409);
      problem(lift, 'invalid_state');

      t.clock.advance(3 * DAY + 1000);
      const after = await t
        .http()
        .get(api(`/orgs/${brand.id}/social-accounts/${accountId}`))
        .set(brandOwner.auth);
      expect(after.body).toMatchObject({ status: 'active', statusReason: null, suspendedUntil: null });
      expect(await usageCount(accountId, 'account.status_changed')).toBe(1);
    });
  });

  describe('archiving', () => {
    it('archives an account: gone from every read, its usage records kept', async () => {
      const accountId = await createAccount('dy-archive');
      await t
        .http()
        .delete(api(`/orgs/${brand.id}/social-accounts/${accountId}`))
        .set(brandViewer.auth)
        .expect(403);
      await t
        .http()
        .delete(api(`/orgs/${brand.id}/social-accounts/${accountId}`))
        .set(brandOwner.auth)
        .expect(204);
      await t
        .http()
        .get(api(`/orgs/${brand.id}/social-accounts/${accountId}`))
        .set(brandOwner.auth)
        .expect(404);
      expect(await usageCount(accountId, 'account.archived')).toBe(1);
      expect(await usageCount(accountId, 'account.created')).toBe(1);
      // The external id is free again for a new registration.
      await createAccount('dy-archive');
    });
  });

  describe('through the generated client', () => {
    it('registers, offers, accepts and assigns an account, which the operator then reads', async () => {
      const operator = await makeUser(t);
      await insertMember(t, agency, operator.id, {
        unitId: agencyTeamA,
        grants: [{ role: 'operator', unitId: agencyTeamA, scope: 'self' }],
      });
      const asBrand = apiClient(t, { accessToken: brandOwner.token });
      const asAgency = apiClient(t, { accessToken: agencyOwner.token });
      const asOperator = apiClient(t, { accessToken: operator.token });

      const account = expectData(
        await asBrand.POST('/api/v1/orgs/{orgId}/social-accounts', {
          params: { path: { orgId: brand.id } },
          body: {
            platform: 'douyin',
            handle: 'client_flow',
            displayName: '客户端账号',
            externalUserId: 'dy-client',
            unitId: brandShop,
          },
        }),
        201,
      );
      expect(account).toMatchObject({
        orgId: brand.id,
        unitId: brandShop,
        ownership: 'owned',
        status: 'active',
      });

      const offered = expectData(
        await asBrand.POST('/api/v1/orgs/{orgId}/authorizations', {
          params: { path: { orgId: brand.id } },
          body: {
            agencyOrgId: agency.id,
            accountIds: [account.id],
            scopes: ['publish'],
            validUntil: new Date(t.clock.now().getTime() + 7 * DAY).toISOString(),
          },
        }),
        201,
      );
      expect(offered).toMatchObject({ status: 'offered', brandName: 'Brand Co', agencyName: 'Agency Co' });
      const received = expectData(
        await asAgency.GET('/api/v1/orgs/{orgId}/authorizations', {
          params: {
            path: { orgId: agency.id },
            query: { direction: 'received', status: 'offered', accountId: account.id },
          },
        }),
        200,
      );
      expect(received.items.map((a) => a.id)).toEqual([offered.id]);
      const accepted = expectData(
        await asAgency.POST('/api/v1/orgs/{orgId}/authorizations/{authorizationId}/accept', {
          params: { path: { orgId: agency.id, authorizationId: offered.id } },
        }),
        200,
      );
      expect(accepted).toMatchObject({ status: 'active', decidedBy: agencyOwner.id });

      const assigned = expectData(
        await asAgency.POST('/api/v1/orgs/{orgId}/social-accounts/{accountId}/assignments', {
          params: { path: { orgId: agency.id, accountId: account.id } },
          body: { unitId: agencyTeamA, memberId: operator.id },
        }),
        201,
      );
      expect(assigned).toMatchObject({ unitId: agencyTeamA, memberId: operator.id, unitName: 'Team A' });

      const listed = expectData(
        await asOperator.GET('/api/v1/orgs/{orgId}/social-accounts', {
          params: { path: { orgId: agency.id } },
        }),
        200,
      );
      expect(listed.items.map((a) => a.id)).toEqual([account.id]);
      const read = expectData(
        await asOperator.GET('/api/v1/orgs/{orgId}/social-accounts/{accountId}', {
          params: { path: { orgId: agency.id, accountId: account.id } },
        }),
        200,
      );
      expect(read).toMatchObject({
        handle: 'client_flow',
        ownership: 'authorized',
        authorizedScopes: ['publish'],
      });
      expect(await usageCount(account.id, 'assignment.added')).toBe(1);
    });
  });
});
