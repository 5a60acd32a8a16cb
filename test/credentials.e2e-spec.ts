import { Response } from 'supertest';
import { UsageRecordsService } from '../src/modules/social-accounts/usage-records/usage-records.service';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { apiClient, expectData } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureGrant, FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const PASSWORD = { kind: 'password', loginName: 'brand.ops@example.com', password: 'S3cret-Passw0rd!' };
const OAUTH = {
  kind: 'oauth',
  openId: '_000Qa1b2c3d4e5f',
  accessToken: 'act.7f3c9e1b2a4d6f8e0a1c3e5b7d9f1a2c',
  accessTokenExpiresAt: '2031-01-01T08:00:00+08:00',
  refreshToken: 'rft.0e2c4a6b8d1f3e5a7c9b1d3f5e7a9c0b',
  refreshTokenExpiresAt: '2031-02-01T00:00:00Z',
};
const SECRETS = [PASSWORD.password, OAUTH.accessToken, OAUTH.refreshToken];
const REASON = 'Douyin asks for a password login to renew the certification';

/** Tables that record what happened around credentials: none may ever hold a secret in clear. */
const AUDIT_TABLES = [
  'account_credentials',
  'account_usage_records',
  'credential_reveals',
  'operation_logs',
  'outbox_events',
  'notifications',
];

/** Every grant the agency operators of these tests need. */
const OPERATOR_GRANTS: FixtureGrant[] = [
  { permission: 'social-accounts:read' },
  { permission: 'credentials:manage' },
  { permission: 'credentials:reveal' },
];

interface World {
  brand: FixtureOrg;
  agency: FixtureOrg;
  owner: TestUser;
  operator: TestUser;
  accountId: string;
}

describe('credential vault', () => {
  let t: TestApp;
  // 11:00 in China, two days ahead: clear of the real clock, and inside the usual hours 09-21.
  const start = new Date(
    Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 2, 3),
  );

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        TRUST_PROXY: 'true',
        CREDENTIAL_REVEALS_PER_HOUR: '3',
        CREDENTIAL_REVEALS_ALERT_PER_DAY: '2',
        CREDENTIAL_REVEAL_USUAL_HOURS: '09-21',
      },
    });
    t.clock.set(start);
  });
  afterAll(() => t.close());

  type Caller = { auth: Record<string, string> };
  const base = (orgId: string, accountId: string) =>
    `/api/v1/orgs/${orgId}/social-accounts/${accountId}/credentials`;
  const put = (who: Caller, orgId: string, accountId: string, body: object) =>
    t.http().put(base(orgId, accountId)).set(who.auth).send(body);
  const get = (who: Caller, orgId: string, accountId: string) =>
    t.http().get(base(orgId, accountId)).set(who.auth);
  const remove = (who: Caller, orgId: string, accountId: string) =>
    t.http().delete(base(orgId, accountId)).set(who.auth);
  const reveal = (
    who: Caller,
    orgId: string,
    accountId: string,
    body: object = { reason: REASON },
    ip?: string,
  ) => {
    const req = t
      .http()
      .post(`${base(orgId, accountId)}/reveal`)
      .set(who.auth);
    if (ip) req.set('X-Forwarded-For', ip);
    return req.send(body);
  };

  /** Moves the clock forward to the next hh:mm in China (UTC+8). */
  const advanceToChinaTime = (hour: number, minute = 0) => {
    const now = t.clock.now();
    const target = new Date(now);
    target.setUTCHours(hour - 8, minute, 0, 0);
    while (target.getTime() <= now.getTime()) target.setTime(target.getTime() + 24 * 60 * 60_000);
    t.clock.set(target);
  };

  /** A brand with one owner and one account, authorized to an agency whose operator it is assigned to. */
  async function world(
    options: { scopes?: ('publish' | 'manage')[]; status?: 'active' | 'frozen' } = {},
  ): Promise<World> {
    const brand = await insertOrg(t, { kind: 'brand' });
    const agency = await insertOrg(t, { kind: 'agency' });
    const owner = await makeUser(t);
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
    const operator = await makeUser(t);
    await insertMember(t, agency, operator.id, { grants: OPERATOR_GRANTS });
    const accountId = await insertAccount(t, brand, { status: options.status });
    await insertAuthorization(
      t,
      brand,
      agency,
      [accountId],
      options.scopes ? { scopes: options.scopes } : {},
    );
    await insertAssignment(t, agency, accountId);
    return { brand, agency, owner, operator, accountId };
  }

  const usageCount = async (accountId: string, action: string): Promise<number> => {
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM account_usage_records WHERE account_id = $1 AND action = $2`,
      [accountId, action],
    );
    return n;
  };
  const usageActions = async (accountId: string): Promise<string[]> =>
    (
      await t.db.query(`SELECT action FROM account_usage_records WHERE account_id = $1 ORDER BY seq`, [
        accountId,
      ])
    ).map((r: { action: string }) => r.action);

  /** Delivers queued notifications, then answers those of one type a user received. */
  const notificationsOf = async (userId: string, type: string) => {
    await t.get(OutboxService).drain();
    return t.db.query(
      `SELECT title, body, data FROM notifications WHERE user_id = $1 AND type = $2 ORDER BY created_at`,
      [userId, type],
    );
  };

  const expectNoSecretsAnywhere = async (secrets: string[]) => {
    for (const table of AUDIT_TABLES) {
      const rows: { row: string }[] = await t.db.query(`SELECT t::text AS row FROM ${table} t`);
      const text = rows.map((r) => r.row).join('\n');
      for (const secret of secrets)
        expect({ table, leaks: text.includes(secret) }).toEqual({ table, leaks: false });
    }
  };

  describe('store, read and remove', () => {
    it('stores a password for the brand, encrypted, and answers metadata only', async () => {
      const w = await world();
      const res = await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      expect(res.headers.etag).toBe('W/"1"');
      expect(res.body).toEqual({
        accountId: w.accountId,
        kind: 'password',
        loginNameMasked: 'br***om',
        accessTokenExpiresAt: null,
        refreshTokenExpiresAt: null,
        storedAt: start.toISOString(),
        storedBy: w.owner.id,
      });
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD.password);
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD.loginName);

      const [row] = await t.db.query(
        `SELECT c::text AS text, key_id FROM account_credentials c WHERE account_id = $1`,
        [w.accountId],
      );
      expect(row.key_id).toBe('dev1');
      expect(row.text).not.toContain(PASSWORD.password);
      expect(row.text).not.toContain(PASSWORD.loginName);
      expect(row.text).not.toContain(Buffer.from(PASSWORD.password).toString('base64'));
      expect(await usageActions(w.accountId)).toEqual(['credential.stored']);
    });

    it('stores, reads and reveals through the generated client, with the reveal recorded', async () => {
      const w = await world({ scopes: ['publish', 'manage'] });
      const path = { orgId: w.agency.id, accountId: w.accountId };
      const asOperator = apiClient(t, { accessToken: w.operator.token });

      const stored = await asOperator.PUT('/api/v1/orgs/{orgId}/social-accounts/{accountId}/credentials', {
        params: { path },
        body: { kind: 'password', loginName: PASSWORD.loginName, password: PASSWORD.password },
      });
      expect(expectData(stored, 200)).toEqual({
        accountId: w.accountId,
        kind: 'password',
        loginNameMasked: 'br***om',
        accessTokenExpiresAt: null,
        refreshTokenExpiresAt: null,
        storedAt: t.clock.now().toISOString(),
        storedBy: w.operator.id,
      });

      const asOwner = apiClient(t, { accessToken: w.owner.token });
      const metadata = await asOwner.GET('/api/v1/orgs/{orgId}/social-accounts/{accountId}/credentials', {
        params: { path: { orgId: w.brand.id, accountId: w.accountId } },
      });
      expect(expectData(metadata, 200)).toMatchObject({ kind: 'password', storedBy: w.operator.id });
      expect(metadata.response.headers.get('etag')).toBe(stored.response.headers.get('etag'));
      expect(JSON.stringify(metadata.data)).not.toContain(PASSWORD.password);

      const revealed = await asOperator.POST(
        '/api/v1/orgs/{orgId}/social-accounts/{accountId}/credentials/reveal',
        {
          params: { path },
          body: { reason: REASON },
        },
      );
      const body = expectData(revealed, 200);
      expect(revealed.response.headers.get('cache-control')).toBe('no-store');
      expect(body.credentials).toEqual(PASSWORD);
      const [recorded] = await t.db.query(
        `SELECT user_id, org_id, reason FROM credential_reveals WHERE id = $1`,
        [body.revealId],
      );
      expect(recorded).toEqual({ user_id: w.operator.id, org_id: w.agency.id, reason: REASON });
      expect(await usageActions(w.accountId)).toEqual(['credential.stored', 'credential.revealed']);
    });

    it('answers metadata on GET, never the secret, and 404 when nothing is stored', async () => {
      const w = await world();
      await get(w.owner, w.brand.id, w.accountId).expect(404);
      await put(w.owner, w.brand.id, w.accountId, OAUTH).expect(200);

      const res = await get(w.owner, w.brand.id, w.accountId).expect(200);
      expect(res.headers.etag).toBe('W/"1"');
      expect(res.body).toMatchObject({
        kind: 'oauth',
        loginNameMasked: null,
        accessTokenExpiresAt: '2031-01-01T00:00:00.000Z',
        refreshTokenExpiresAt: '2031-02-01T00:00:00.000Z',
      });
      for (const secret of [OAUTH.accessToken, OAUTH.refreshToken, OAUTH.openId]) {
        expect(JSON.stringify(res.body)).not.toContain(secret);
      }
      // The agency reads the metadata too (any authorization will do), and no secret either.
      const agencyRes = await get(w.operator, w.agency.id, w.accountId).expect(200);
      expect(JSON.stringify(agencyRes.body)).not.toContain(OAUTH.accessToken);
      const [clear] = await t.db.query(
        `SELECT access_token_expires_at, refresh_token_expires_at FROM account_credentials WHERE account_id = $1`,
        [w.accountId],
      );
      expect(clear.access_token_expires_at.toISOString()).toBe('2031-01-01T00:00:00.000Z');
      expect(await usageActions(w.accountId)).toEqual(['credential.stored']);
    });

    it('replaces credentials as a rotation, honouring If-Match', async () => {
      const w = await world();
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);

      const stale = await put(w.owner, w.brand.id, w.accountId, OAUTH).set('If-Match', 'W/"7"').expect(412);
      expect(stale.body).toMatchObject({ code: 'precondition_failed', currentEtag: 'W/"1"' });

      const res = await put(w.owner, w.brand.id, w.accountId, OAUTH).set('If-Match', 'W/"1"').expect(200);
      expect(res.headers.etag).toBe('W/"2"');
      expect(res.body).toMatchObject({ kind: 'oauth', loginNameMasked: null });
      expect(JSON.stringify(res.body)).not.toContain(OAUTH.accessToken);
      const [row] = await t.db.query(
        `SELECT c::text AS text FROM account_credentials c WHERE account_id = $1`,
        [w.accountId],
      );
      for (const secret of [OAUTH.accessToken, OAUTH.refreshToken, OAUTH.openId])
        expect(row.text).not.toContain(secret);

      expect(await usageActions(w.accountId)).toEqual(['credential.stored', 'credential.rotated']);
      const [record] = await t.db.query(
        `SELECT details FROM account_usage_records WHERE account_id = $1 AND action = 'credential.rotated'`,
        [w.accountId],
      );
      expect(record.details).toEqual({ kind: 'oauth', previousKind: 'password' });
    });

    it('removes credentials once, recording it', async () => {
      const w = await world();
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      await remove(w.owner, w.brand.id, w.accountId).set('If-Match', 'W/"3"').expect(412);
      await remove(w.owner, w.brand.id, w.accountId).expect(204);
      await get(w.owner, w.brand.id, w.accountId).expect(404);
      await remove(w.owner, w.brand.id, w.accountId).expect(404);
      await reveal(w.owner, w.brand.id, w.accountId).expect(404);
      expect(await usageActions(w.accountId)).toEqual(['credential.stored', 'credential.removed']);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM account_credentials WHERE account_id = $1`,
        [w.accountId],
      );
      expect(n).toBe(0);
    });

    it('lets a partner system store through an API key, but not reveal', async () => {
      const w = await world();
      const created = await t
        .http()
        .post(`/api/v1/orgs/${w.brand.id}/api-keys`)
        .set(w.owner.auth)
        .send({
          name: 'Token sync',
          grants: ['credentials:manage', 'credentials:reveal'].map((permission) => ({
            permission,
            unitId: w.brand.rootUnitId,
            scope: 'org',
          })),
        })
        .expect(201);
      const partner = { auth: { 'X-API-Key': created.body.key as string } };
      const stored = await put(partner, w.brand.id, w.accountId, OAUTH).expect(200);
      expect(stored.body.storedBy).toBeNull();
      const refused = await reveal(partner, w.brand.id, w.accountId).expect(403);
      expect(refused.body.code).toBe('permission_denied');
      const [record] = await t.db.query(
        `SELECT api_key_id FROM account_usage_records WHERE account_id = $1 AND action = 'credential.stored'`,
        [w.accountId],
      );
      expect(record.api_key_id).toBe(created.body.id);
      expect(await usageCount(w.accountId, 'credential.revealed')).toBe(0);
    });
  });

  describe('who may', () => {
    it('lets an agency with a manage authorization store and reveal', async () => {
      const w = await world();
      await put(w.operator, w.agency.id, w.accountId, PASSWORD).expect(200);

      const res = await reveal(w.operator, w.agency.id, w.accountId).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        revealId: expect.any(String),
        accountId: w.accountId,
        revealedAt: t.clock.now().toISOString(),
        credentials: PASSWORD,
      });

      const [recorded] = await t.db.query(`SELECT * FROM credential_reveals WHERE id = $1`, [
        res.body.revealId,
      ]);
      expect(recorded).toMatchObject({
        account_id: w.accountId,
        brand_org_id: w.brand.id,
        org_id: w.agency.id,
        user_id: w.operator.id,
        reason: REASON,
      });
      const [record] = await t.db.query(
        `SELECT actor_org_id, agency_org_id, actor_user_id, details FROM account_usage_records
         WHERE account_id = $1 AND action = 'credential.revealed'`,
        [w.accountId],
      );
      expect(record).toEqual({
        actor_org_id: w.agency.id,
        agency_org_id: w.agency.id,
        actor_user_id: w.operator.id,
        details: { revealId: res.body.revealId, kind: 'password', reason: REASON, anomalies: [] },
      });
      expect(await usageActions(w.accountId)).toEqual(['credential.stored', 'credential.revealed']);
    });

    it('refuses an agency whose authorization lacks the manage scope', async () => {
      const w = await world({ scopes: ['publish'] });
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      const stored = await put(w.operator, w.agency.id, w.accountId, PASSWORD).expect(403);
      expect(stored.body.code).toBe('authorization_scope_missing');
      const revealed = await reveal(w.operator, w.agency.id, w.accountId).expect(403);
      expect(revealed.body.code).toBe('authorization_scope_missing');
      const removed = await remove(w.operator, w.agency.id, w.accountId).expect(403);
      expect(removed.body.code).toBe('authorization_scope_missing');
      // Reading the metadata needs no particular scope.
      await get(w.operator, w.agency.id, w.accountId).expect(200);
      expect(await usageActions(w.accountId)).toEqual(['credential.stored']);
    });

    it('answers 404 to an agency member whose scope does not cover where the account is assigned', async () => {
      const w = await world();
      const team = await insertUnit(t, w.agency, w.agency.rootUnitId, 'Team B');
      const outsider = await makeUser(t);
      await insertMember(t, w.agency, outsider.id, {
        unitId: team,
        grants: OPERATOR_GRANTS.map((g) => ({ ...g, unitId: team, scope: 'subtree' as const })),
      });
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      const res = await reveal(outsider, w.agency.id, w.accountId).expect(404);
      expect(res.body.code).toBe('not_found');
      expect((await put(outsider, w.agency.id, w.accountId, OAUTH).expect(404)).body.code).toBe('not_found');
      expect((await get(outsider, w.agency.id, w.accountId).expect(404)).body.code).toBe('not_found');
    });

    it('refuses an agency on a frozen account, while the brand keeps control of its credentials', async () => {
      const w = await world({ status: 'frozen' });
      const stored = await put(w.operator, w.agency.id, w.accountId, PASSWORD).expect(409);
      expect(stored.body).toMatchObject({ code: 'social_account_unavailable', accountStatus: 'frozen' });
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      const revealed = await reveal(w.operator, w.agency.id, w.accountId).expect(409);
      expect(revealed.body.code).toBe('social_account_unavailable');
      await get(w.operator, w.agency.id, w.accountId).expect(200);
      await reveal(w.owner, w.brand.id, w.accountId).expect(200);
      expect(await usageActions(w.accountId)).toEqual(['credential.stored', 'credential.revealed']);
    });

    it('answers 404 to another tenant, and 403 without the permission', async () => {
      const w = await world();
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      const stranger = await makeUser(t);
      const otherBrand = await insertOrg(t, { kind: 'brand' });
      await insertMember(t, otherBrand, stranger.id, { grants: [{ role: 'owner' }] });
      for (const res of [
        await get(stranger, otherBrand.id, w.accountId),
        await put(stranger, otherBrand.id, w.accountId, PASSWORD),
        await reveal(stranger, otherBrand.id, w.accountId),
        await remove(stranger, otherBrand.id, w.accountId),
        // Not a member of the brand at all: the guard says 404 too.
        await reveal(stranger, w.brand.id, w.accountId),
      ]) {
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'not_found' });
      }

      const viewer = await makeUser(t);
      await insertMember(t, w.brand, viewer.id, { grants: [{ role: 'operator' }] });
      await get(viewer, w.brand.id, w.accountId).expect(200);
      for (const res of [
        await put(viewer, w.brand.id, w.accountId, PASSWORD),
        await reveal(viewer, w.brand.id, w.accountId),
        await remove(viewer, w.brand.id, w.accountId),
      ]) {
        expect({ status: res.status, code: res.body.code }).toEqual({
          status: 403,
          code: 'permission_denied',
        });
      }
      expect(await usageActions(w.accountId)).toEqual(['credential.stored']);
    });
  });

  describe('input', () => {
    const expectInvalid = async (res: Response, field: string) => {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      for (const secret of SECRETS) expect(JSON.stringify(res.body)).not.toContain(secret);
    };

    it('refuses bad credential bodies without echoing them', async () => {
      const w = await world();
      const send = (body: object) => put(w.owner, w.brand.id, w.accountId, body);
      await expectInvalid(await send({ ...PASSWORD, kind: 'token' }), 'kind');
      await expectInvalid(await send({ loginName: 'x', password: PASSWORD.password }), 'kind');
      await expectInvalid(await send({ ...PASSWORD, pin: '1234' }), 'pin');
      await expectInvalid(await send({ kind: 'password', loginName: 'ops' }), 'password');
      await expectInvalid(await send({ ...PASSWORD, accessToken: OAUTH.accessToken }), 'accessToken');
      await expectInvalid(await send({ ...OAUTH, password: PASSWORD.password }), 'password');
      await expectInvalid(
        await send({ ...OAUTH, accessTokenExpiresAt: '2031-01-01' }),
        'accessTokenExpiresAt',
      );
      await expectInvalid(
        await send({ ...OAUTH, accessTokenExpiresAt: '2031-02-30T00:00:00Z' }),
        'accessTokenExpiresAt',
      );
      await expectInvalid(await send({ ...OAUTH, accessToken: 'has spaces in it' }), 'accessToken');
      const { refreshToken: _dropped, ...withoutRefresh } = OAUTH;
      await expectInvalid(await send(withoutRefresh), 'refreshTokenExpiresAt');
      await expectInvalid(await send({ ...PASSWORD, password: 'line\nbreak' }), 'password');
      await expectInvalid(await send({ ...PASSWORD, password: 'x'.repeat(257) }), 'password');
      await expectInvalid(await send({ ...PASSWORD, loginName: '   ' }), 'loginName');
      const malformed = await t
        .http()
        .put(base(w.brand.id, w.accountId))
        .set(w.owner.auth)
        .set('content-type', 'application/json')
        .send('{"kind":"password",');
      expect(malformed.status).toBe(400);
      await t.http().put(base(w.brand.id, 'not-a-uuid')).set(w.owner.auth).send(PASSWORD).expect(400);
      expect(await usageActions(w.accountId)).toEqual([]);
    });

    it('requires a reason of 10 to 500 characters to reveal', async () => {
      const w = await world();
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      await expectInvalid(await reveal(w.owner, w.brand.id, w.accountId, {}), 'reason');
      await expectInvalid(
        await reveal(w.owner, w.brand.id, w.accountId, { reason: '   short   ' }),
        'reason',
      );
      await expectInvalid(
        await reveal(w.owner, w.brand.id, w.accountId, { reason: 'x'.repeat(501) }),
        'reason',
      );
      await expectInvalid(
        await reveal(w.owner, w.brand.id, w.accountId, { reason: REASON, secret: true }),
        'secret',
      );
      const res = await reveal(w.owner, w.brand.id, w.accountId, { reason: `  ${REASON}  ` }).expect(200);
      const [recorded] = await t.db.query(`SELECT reason FROM credential_reveals WHERE id = $1`, [
        res.body.revealId,
      ]);
      expect(recorded.reason).toBe(REASON);
      expect(await usageCount(w.accountId, 'credential.revealed')).toBe(1);
    });
  });

  describe('reveals', () => {
    // Each test starts inside the usual hours, on a day of its own.
    beforeEach(() => advanceToChinaTime(10));

    it('limits reveals per person and hour, with Retry-After, recording nothing refused', async () => {
      const w = await world();
      const second = await insertAccount(t, w.brand);
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      await put(w.owner, w.brand.id, second, OAUTH).expect(200);
      const first = t.clock.now().getTime();
      await reveal(w.owner, w.brand.id, w.accountId).expect(200);
      t.clock.advance(10 * 60_000);
      await reveal(w.owner, w.brand.id, second).expect(200);
      await reveal(w.owner, w.brand.id, w.accountId).expect(200);

      const limited = await reveal(w.owner, w.brand.id, second).expect(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(limited.headers['retry-after']).toBe('3000');
      expect(limited.headers['cache-control']).toBe('no-store');
      expect(await usageCount(w.accountId, 'credential.revealed')).toBe(2);
      expect(await usageCount(second, 'credential.revealed')).toBe(1);

      // Another person is not held back by this one's reveals.
      const colleague = await makeUser(t);
      await insertMember(t, w.brand, colleague.id, { grants: [{ permission: 'credentials:reveal' }] });
      await reveal(colleague, w.brand.id, second).expect(200);

      t.clock.set(new Date(first + 60 * 60_000 + 1));
      await reveal(w.owner, w.brand.id, second).expect(200);
      expect(await usageCount(second, 'credential.revealed')).toBe(3);
    });

    it("notifies the brand's owners of every reveal, and nobody else", async () => {
      const w = await world();
      const coOwner = await makeUser(t);
      await insertMember(t, w.brand, coOwner.id, { grants: [{ role: 'owner' }] });
      const admin = await makeUser(t);
      await insertMember(t, w.brand, admin.id, { grants: [{ role: 'admin' }] });
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);

      const res = await reveal(w.operator, w.agency.id, w.accountId).expect(200);
      for (const owner of [w.owner, coOwner]) {
        const notes = await notificationsOf(owner.id, 'social_account.credential_revealed');
        expect(notes).toHaveLength(1);
        expect(notes[0].data).toMatchObject({
          accountId: w.accountId,
          revealId: res.body.revealId,
          revealedBy: w.operator.id,
          revealedByOrgId: w.agency.id,
          via: 'agency',
          reason: REASON,
        });
        expect(notes[0].body).toContain(w.operator.username);
        expect(notes[0].body).toContain(REASON);
      }
      expect(await notificationsOf(admin.id, 'social_account.credential_revealed')).toHaveLength(0);
      expect(await notificationsOf(w.operator.id, 'social_account.credential_revealed')).toHaveLength(0);
      expect(await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly')).toHaveLength(0);
    });

    it('flags a reveal outside the usual hours (China time)', async () => {
      const w = await world();
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      advanceToChinaTime(23, 30);
      await reveal(w.operator, w.agency.id, w.accountId).expect(200);

      const [anomaly] = await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly');
      expect(anomaly.data).toMatchObject({
        rules: ['off_hours'],
        usualHours: '09-21',
        accountId: w.accountId,
      });
      expect(anomaly.body).toContain('23:30 China time');
      const [record] = await t.db.query(
        `SELECT details FROM account_usage_records WHERE account_id = $1 AND action = 'credential.revealed'`,
        [w.accountId],
      );
      expect(record.details.anomalies).toEqual(['off_hours']);
    });

    it("learns an organization's own hours: a night-shift agency is not flagged at night, but is by day", async () => {
      const w = await world();
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      // Sixty recorded actions of the agency at 02:30 China time over the last month.
      const tenAm = t.clock.now().getTime();
      const usage = t.get(UsageRecordsService);
      const agencyActor = {
        kind: 'user' as const,
        userId: w.operator.id,
        apiKeyId: null,
        sessionId: null,
        ip: '203.0.113.50',
        userAgent: null,
        requestId: 'night-shift',
        orgId: w.agency.id,
        orgKind: 'agency' as const,
        grants: [],
      };
      for (let i = 0; i < 60; i += 1) {
        t.clock.set(new Date(tenAm - ((i % 28) + 1) * 24 * 60 * 60_000 - 7.5 * 60 * 60_000));
        await t.db.transaction((manager) =>
          usage.append(manager, {
            accountId: w.accountId,
            brandOrgId: w.brand.id,
            action: 'analytics.read',
            actor: agencyActor,
            actorOrgId: w.agency.id,
            agencyOrgId: w.agency.id,
          }),
        );
      }
      t.clock.set(new Date(tenAm));

      advanceToChinaTime(2, 45);
      await reveal(w.operator, w.agency.id, w.accountId).expect(200);
      expect(await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly')).toHaveLength(0);

      advanceToChinaTime(14);
      await reveal(w.operator, w.agency.id, w.accountId).expect(200);
      const [anomaly] = await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly');
      expect(anomaly.data).toMatchObject({ rules: ['off_hours'], usualHours: 'learned: 02-03' });
    });

    it('flags a reveal from an address the organization never revealed this brand’s credentials from', async () => {
      const w = await world();
      const otherAccount = await insertAccount(t, w.brand);
      await insertAuthorization(t, w.brand, w.agency, [otherAccount]);
      await insertAssignment(t, w.agency, otherAccount);
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      await put(w.owner, w.brand.id, otherAccount, OAUTH).expect(200);

      // The agency's first reveal has no history to compare with; the same address again is usual.
      await reveal(w.operator, w.agency.id, w.accountId, { reason: REASON }, '203.0.113.7').expect(200);
      t.clock.advance(25 * 60 * 60_000);
      await reveal(w.operator, w.agency.id, otherAccount, { reason: REASON }, '203.0.113.7').expect(200);
      expect(await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly')).toHaveLength(0);

      // The brand revealing from there too is its own history, not the agency's.
      t.clock.advance(25 * 60 * 60_000);
      await reveal(w.owner, w.brand.id, w.accountId, { reason: REASON }, '198.51.100.9').expect(200);
      expect(await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly')).toHaveLength(0);

      t.clock.advance(25 * 60 * 60_000);
      const res = await reveal(
        w.operator,
        w.agency.id,
        w.accountId,
        { reason: REASON },
        '198.51.100.9',
      ).expect(200);
      const anomalies = await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly');
      expect(anomalies).toHaveLength(1);
      expect(anomalies[0].data).toMatchObject({
        rules: ['new_ip'],
        ip: '198.51.100.9',
        revealId: res.body.revealId,
      });
      expect(anomalies[0].body).toContain('198.51.100.9');
      const [recorded] = await t.db.query(`SELECT ip FROM credential_reveals WHERE id = $1`, [
        res.body.revealId,
      ]);
      expect(recorded.ip).toBe('198.51.100.9');
    });

    it("flags more reveals of the brand's accounts in a day than the threshold", async () => {
      const w = await world();
      const second = await insertAccount(t, w.brand);
      await put(w.owner, w.brand.id, w.accountId, PASSWORD).expect(200);
      await put(w.owner, w.brand.id, second, PASSWORD).expect(200);

      await reveal(w.owner, w.brand.id, w.accountId).expect(200);
      t.clock.advance(5 * 60 * 60_000);
      await reveal(w.operator, w.agency.id, w.accountId).expect(200);
      expect(await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly')).toHaveLength(0);

      t.clock.advance(60_000);
      await reveal(w.owner, w.brand.id, second).expect(200);
      const [anomaly] = await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly');
      expect(anomaly.data).toMatchObject({
        rules: ['daily_count'],
        revealsLastDay: 3,
        dailyThreshold: 2,
        accountId: second,
      });

      // Just under a day after the third, only it is still in the window: two with this one.
      t.clock.advance(24 * 60 * 60_000 - 30_000);
      await reveal(w.owner, w.brand.id, w.accountId).expect(200);
      expect(await notificationsOf(w.owner.id, 'social_account.credential_reveal_anomaly')).toHaveLength(1);
      expect(await usageCount(w.accountId, 'credential.revealed')).toBe(3);
      expect(await usageCount(second, 'credential.revealed')).toBe(1);
    });
  });

  it('never leaves a secret in clear in any table it writes', async () => {
    await t.get(OutboxService).drain();
    await expectNoSecretsAnywhere([...SECRETS, PASSWORD.loginName, OAUTH.openId]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM account_credentials`);
    expect(n).toBeGreaterThan(5);
  });
});
