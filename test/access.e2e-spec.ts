import { randomUUID } from 'node:crypto';
import { apiClient, expectData, expectProblem } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { addMember, createOrg, createUnit, TestOrg } from './support/org-helpers';
import { createTestApp, TestApp } from './support/test-app';

/**
 * The permission model end to end: data scopes filter lists in SQL, deny beats allow, nobody grants
 * beyond their own authority, changes count on the next request, and tenants never see each other.
 */
describe('access control', () => {
  let t: TestApp;
  let owner: TestUser;
  let org: TestOrg;
  let unitA: string;
  let unitA1: string;
  let unitB: string;
  let inA: TestUser;
  let inA1: TestUser;
  let inB: TestUser;
  let unitAnalyst: TestUser;
  let manager: TestUser;
  let selfViewer: TestUser;
  let outsider: TestUser;
  let otherOrg: TestOrg;

  const memberIds = async (user: TestUser | { 'X-API-Key': string }, orgId = org.id) => {
    const headers = 'auth' in user ? user.auth : user;
    const res = await t.http().get(`/api/v1/orgs/${orgId}/members?limit=100`).set(headers).expect(200);
    return (res.body.items as { userId: string }[]).map((m) => m.userId).sort();
  };

  beforeAll(async () => {
    t = await createTestApp({ jobs: true });
    owner = await makeUser(t);
    org = await createOrg(t, owner);
    unitA = await createUnit(t, owner, org, 'Team A', org.rootUnitId);
    unitA1 = await createUnit(t, owner, org, 'Team A1', unitA);
    unitB = await createUnit(t, owner, org, 'Team B', org.rootUnitId);
    [inA, inA1, inB, unitAnalyst, manager, selfViewer, outsider] = await Promise.all(
      Array.from({ length: 7 }, () => makeUser(t)),
    );
    await addMember(t, owner, org, inA, unitA);
    await addMember(t, owner, org, inA1, unitA1);
    await addMember(t, owner, org, inB, unitB);
    await addMember(t, owner, org, unitAnalyst, unitA, { roleKey: 'analyst', scope: 'unit' });
    await addMember(t, owner, org, manager, org.rootUnitId, { roleKey: 'analyst', scope: 'subtree' });
    await addMember(t, owner, org, selfViewer, unitB, { roleKey: 'viewer', scope: 'self' });
    otherOrg = await createOrg(t, outsider, 'brand');
  });
  afterAll(() => t.close());

  it('a unit-scoped analyst sees members of that unit only, not the sibling or child unit', async () => {
    expect(await memberIds(unitAnalyst)).toEqual([inA.id, unitAnalyst.id].sort());
  });

  it('a subtree-scoped manager of the parent sees every unit below', async () => {
    const ids = await memberIds(manager);
    expect(ids).toEqual(expect.arrayContaining([inA.id, inA1.id, inB.id, owner.id, manager.id]));
    expect(ids).toHaveLength(7);
  });

  it('a self scope sees only the caller’s own row', async () => {
    expect(await memberIds(selfViewer)).toEqual([selfViewer.id]);
  });

  it('another tenant’s organization answers 404 whatever the caller holds there', async () => {
    const res = await t.http().get(`/api/v1/orgs/${otherOrg.id}/members`).set(manager.auth).expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('not_found');
    await t.http().get(`/api/v1/orgs/${randomUUID()}/members`).set(manager.auth).expect(404);
    await t.http().get(`/api/v1/orgs/${org.id}/members`).set(outsider.auth).expect(404);
  });

  it('a member without the permission is refused with 403 and the permission named', async () => {
    const res = await t.http().get(`/api/v1/orgs/${org.id}/members`).set(inA.auth).expect(403);
    expect(res.body).toMatchObject({ code: 'permission_denied', permission: 'members:read' });
  });

  it('answers 401 without credentials and with a revoked session', async () => {
    await t.http().get(`/api/v1/orgs/${org.id}/members`).expect(401);
    const revoked = await makeUser(t);
    await t.db.query('UPDATE auth_sessions SET revoked_at = now() WHERE id = $1', [revoked.sessionId]);
    const res = await t.http().get('/api/v1/orgs').set(revoked.auth).expect(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('an explicit deny overrides an allow, in lists and in effective permissions', async () => {
    const deny = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${manager.id}/grants`)
      .set(owner.auth)
      .send({ permission: 'members:read', effect: 'deny', unitId: unitB, scope: 'unit' })
      .expect(201);
    const ids = await memberIds(manager);
    expect(ids).not.toContain(inB.id);
    expect(ids).not.toContain(selfViewer.id);
    expect(ids).toContain(inA1.id);

    const effective = await t
      .http()
      .get(`/api/v1/orgs/${org.id}/members/${manager.id}/effective-permissions`)
      .set(owner.auth)
      .expect(200);
    const membersRead = effective.body.permissions.find(
      (p: { permission: string }) => p.permission === 'members:read',
    );
    expect(membersRead.allowed).toBe(true);
    expect(membersRead.sources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ effect: 'deny', scope: 'unit', unitId: unitB, roleName: null }),
        expect.objectContaining({ effect: 'allow', scope: 'subtree', roleName: 'Analyst' }),
      ]),
    );

    await t
      .http()
      .delete(`/api/v1/orgs/${org.id}/members/${manager.id}/grants/${deny.body.id}`)
      .set(owner.auth)
      .expect(204);
    expect(await memberIds(manager)).toContain(inB.id);
  });

  it('refuses a grant beyond the granter’s own permissions or scope', async () => {
    const lead = await makeUser(t);
    await addMember(t, owner, org, lead, unitA, { roleKey: 'admin', scope: 'subtree' });
    // Within their subtree: fine.
    await t
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${inA1.id}/grants`)
      .set(lead.auth)
      .send({ roleId: org.roles.analyst, unitId: unitA1, scope: 'unit' })
      .expect(201);
    // Organization-wide: escalation.
    const wider = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${inA.id}/grants`)
      .set(lead.auth)
      .send({ roleId: org.roles.analyst, unitId: org.rootUnitId, scope: 'org' })
      .expect(403);
    expect(wider.body.code).toBe('grant_escalation');
    // A member outside their scope is not even visible.
    await t
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${inB.id}/grants`)
      .set(lead.auth)
      .send({ roleId: org.roles.viewer, unitId: unitB, scope: 'unit' })
      .expect(404);
    // Nor can they mint a role above their station (their admin role is not org-wide).
    const role = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/roles`)
      .set(lead.auth)
      .send({ name: 'Sneaky', permissions: ['grants:manage'] })
      .expect(403);
    expect(role.body.code).toBe('grant_escalation');
  });

  it('applies a permission change on the very next request and notifies the member', async () => {
    const member = await makeUser(t);
    await addMember(t, owner, org, member, unitB);
    await t.http().get(`/api/v1/orgs/${org.id}/units`).set(member.auth).expect(403);

    const grant = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${member.id}/grants`)
      .set(owner.auth)
      .send({ permission: 'units:read', unitId: unitB, scope: 'unit' })
      .expect(201);
    const units = await t.http().get(`/api/v1/orgs/${org.id}/units`).set(member.auth).expect(200);
    expect(units.body.items.map((u: { id: string }) => u.id)).toEqual([unitB]);

    await t
      .http()
      .delete(`/api/v1/orgs/${org.id}/members/${member.id}/grants/${grant.body.id}`)
      .set(owner.auth)
      .expect(204);
    await t.http().get(`/api/v1/orgs/${org.id}/units`).set(member.auth).expect(403);

    const deadline = Date.now() + 15_000;
    let types: string[] = [];
    while (Date.now() < deadline) {
      const res = await t.http().get('/api/v1/notifications').set(member.auth).expect(200);
      types = res.body.items.map((n: { type: string }) => n.type);
      if (types.filter((type) => type === 'access.grants.changed').length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(types.filter((type) => type === 'access.grants.changed')).toHaveLength(2);
  });

  it('keeps the last owner: neither revocable nor removable', async () => {
    const grants = await t
      .http()
      .get(`/api/v1/orgs/${org.id}/members/${owner.id}/grants`)
      .set(owner.auth)
      .expect(200);
    const ownerGrant = grants.body.items.find((g: { roleId: string }) => g.roleId === org.roles.owner);
    const revoke = await t
      .http()
      .delete(`/api/v1/orgs/${org.id}/members/${owner.id}/grants/${ownerGrant.id}`)
      .set(owner.auth)
      .expect(409);
    expect(revoke.body.code).toBe('last_owner');
    await t.http().delete(`/api/v1/orgs/${org.id}/members/${owner.id}`).set(owner.auth).expect(409);
  });

  it('authenticates API keys with their own grants, inside their organization only', async () => {
    const created = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/api-keys`)
      .set(owner.auth)
      .send({ name: 'CRM sync', grants: [{ roleId: org.roles.analyst, unitId: unitA, scope: 'subtree' }] })
      .expect(201);
    expect(created.body.key).toMatch(/^dyk_/);
    const key = { 'X-API-Key': created.body.key as string };

    const visible = await memberIds(key);
    expect(visible).toEqual(expect.arrayContaining([inA.id, inA1.id, unitAnalyst.id]));
    expect(visible).not.toContain(inB.id);
    expect(visible).not.toContain(owner.id);
    await t.http().get(`/api/v1/orgs/${otherOrg.id}/members`).set(key).expect(404);
    await t
      .http()
      .post(`/api/v1/orgs/${org.id}/units`)
      .set(key)
      .send({ name: 'X', parentId: unitA })
      .expect(403);
    await t.http().get('/api/v1/orgs').set(key).expect(403);

    const listed = await t.http().get(`/api/v1/orgs/${org.id}/api-keys`).set(owner.auth).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const [stored] = await t.db.query('SELECT secret_hash, last_used_at FROM api_keys WHERE id = $1', [
      created.body.id,
    ]);
    expect(stored.secret_hash).not.toContain(created.body.key);
    expect(stored.last_used_at).not.toBeNull();

    await t.http().delete(`/api/v1/orgs/${org.id}/api-keys/${created.body.id}`).set(owner.auth).expect(204);
    await t.http().get(`/api/v1/orgs/${org.id}/members`).set(key).expect(401);
  });

  it('runs an API key’s life through the generated client: create, use, list, revoke, refused', async () => {
    const asOwner = apiClient(t, { accessToken: owner.token });
    const created = expectData(
      await asOwner.POST('/api/v1/orgs/{orgId}/api-keys', {
        params: { path: { orgId: org.id } },
        body: { name: 'Partner CRM', grants: [{ roleId: org.roles.analyst, unitId: unitA1, scope: 'unit' }] },
      }),
      201,
    );
    expect(created).toMatchObject({
      name: 'Partner CRM',
      revokedAt: null,
      lastUsedAt: null,
      createdBy: owner.id,
    });
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const asKey = apiClient(t, { apiKey: created.key });
    const members = expectData(
      await asKey.GET('/api/v1/orgs/{orgId}/members', {
        params: { path: { orgId: org.id }, query: { limit: 100 } },
      }),
      200,
    );
    expect(members.items.map((m) => m.userId)).toEqual([inA1.id]);

    const listed = expectData(
      await asOwner.GET('/api/v1/orgs/{orgId}/api-keys', {
        params: { path: { orgId: org.id }, query: { limit: 100 } },
      }),
      200,
    );
    const mine = listed.items.find((k) => k.id === created.id);
    expect(mine).toMatchObject({ name: 'Partner CRM', prefix: created.prefix, revokedAt: null });
    expect(mine?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const revoked = await asOwner.DELETE('/api/v1/orgs/{orgId}/api-keys/{keyId}', {
      params: { path: { orgId: org.id, keyId: created.id } },
    });
    expect(revoked.response.status).toBe(204);
    const [row] = await t.db.query('SELECT revoked_at FROM api_keys WHERE id = $1', [created.id]);
    expect(row.revoked_at).not.toBeNull();

    const refused = expectProblem(
      await asKey.GET('/api/v1/orgs/{orgId}/members', { params: { path: { orgId: org.id } } }),
      401,
    );
    expect(refused.code).toBe('unauthenticated');
  });

  it('refuses API key grants beyond the creator and bad input', async () => {
    const res = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/api-keys`)
      .set(unitAnalyst.auth)
      .send({ name: 'x', grants: [{ roleId: org.roles.analyst, unitId: unitA, scope: 'unit' }] })
      .expect(403);
    expect(res.body.code).toBe('permission_denied');
    const bad = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/api-keys`)
      .set(owner.auth)
      .send({ name: 'x', grants: [{ unitId: 'nope', scope: 'galaxy' }], extra: 1 })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['extra', 'grants.0.unitId', 'grants.0.scope']),
    );
  });

  it('lists the permission catalogue and refuses unknown codes in roles', async () => {
    const catalogue = await t.http().get('/api/v1/permissions').expect(200);
    expect(catalogue.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'members:read', module: 'organizations' })]),
    );
    const res = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/roles`)
      .set(owner.auth)
      .send({ name: 'Bad', permissions: ['members:read', 'rocket:launch'] })
      .expect(422);
    expect(res.body.errors).toEqual([
      { field: 'permissions.1', message: 'unknown permission code rocket:launch' },
    ]);
    const system = await t
      .http()
      .delete(`/api/v1/orgs/${org.id}/roles/${org.roles.viewer}`)
      .set(owner.auth)
      .expect(422);
    expect(system.body.code).toBe('unprocessable');
  });
});
