import { randomUUID } from 'node:crypto';
import { makeUser, TestUser } from './support/factories';
import { addMember, createOrg, createUnit, TestOrg } from './support/org-helpers';
import { createTestApp, TestApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('organizations, units and members', () => {
  let t: TestApp;
  let owner: TestUser;
  let org: TestOrg;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await makeUser(t);
    org = await createOrg(t, owner, 'brand');
  });
  afterAll(() => t.close());

  it('creates an organization with its root unit, system roles and the creator as owner', async () => {
    const mine = await t.http().get('/api/v1/orgs').set(owner.auth).expect(200);
    expect(mine.body.items).toEqual([
      expect.objectContaining({ id: org.id, kind: 'brand', rootUnitId: org.rootUnitId }),
    ]);
    expect(Object.keys(org.roles).sort()).toEqual(
      [
        'admin',
        'analyst',
        'marketer',
        'operator',
        'owner',
        'reviewer',
        'service_agent',
        'service_supervisor',
        'viewer',
      ].sort(),
    );
    const other = await makeUser(t);
    expect((await t.http().get('/api/v1/orgs').set(other.auth).expect(200)).body.items).toEqual([]);
    const bad = await t
      .http()
      .post('/api/v1/orgs')
      .set(owner.auth)
      .send({ name: 'X', kind: 'platform' })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['kind', 'name']);
  });

  it('keeps a time zone for reports, Asia/Shanghai by default, that an org manager may change', async () => {
    const initial = await t.http().get(`/api/v1/orgs/${org.id}`).set(owner.auth).expect(200);
    expect(initial.body.timeZone).toBe('Asia/Shanghai');
    const changed = await t
      .http()
      .patch(`/api/v1/orgs/${org.id}`)
      .set(owner.auth)
      .send({ timeZone: 'Asia/Urumqi' })
      .expect(200);
    expect(changed.body).toMatchObject({ timeZone: 'Asia/Urumqi', name: initial.body.name });
    const [row] = await t.db.query('SELECT time_zone FROM organizations WHERE id = $1', [org.id]);
    expect(row.time_zone).toBe('Asia/Urumqi');

    const bad = await t
      .http()
      .patch(`/api/v1/orgs/${org.id}`)
      .set(owner.auth)
      .send({ timeZone: 'Mars/Olympus' })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(PROBLEM);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['timeZone']);
    const empty = await t.http().patch(`/api/v1/orgs/${org.id}`).set(owner.auth).send({}).expect(400);
    expect(empty.body.code).toBe('validation_failed');

    const viewer = await makeUser(t);
    await addMember(t, owner, org, viewer, org.rootUnitId, { roleKey: 'viewer', scope: 'org' });
    await t.http().patch(`/api/v1/orgs/${org.id}`).set(viewer.auth).send({ timeZone: 'UTC' }).expect(403);
    const stranger = await makeUser(t);
    await t.http().patch(`/api/v1/orgs/${org.id}`).set(stranger.auth).send({ timeZone: 'UTC' }).expect(404);
    await t
      .http()
      .patch(`/api/v1/orgs/${org.id}`)
      .set(owner.auth)
      .send({ timeZone: 'Asia/Shanghai' })
      .expect(200);
  });

  it('moves a unit with its subtree and refuses moving it under its own descendant', async () => {
    const sales = await createUnit(t, owner, org, 'Sales', org.rootUnitId);
    const east = await createUnit(t, owner, org, 'East', sales);
    const eastTeam = await createUnit(t, owner, org, 'East team', east);
    const ops = await createUnit(t, owner, org, 'Ops', org.rootUnitId);

    const cycle = await t
      .http()
      .patch(`/api/v1/orgs/${org.id}/units/${sales}`)
      .set(owner.auth)
      .send({ parentId: eastTeam })
      .expect(422);
    expect(cycle.body.code).toBe('unit_cycle');

    const current = await t.http().get(`/api/v1/orgs/${org.id}/units/${east}`).set(owner.auth).expect(200);
    await t
      .http()
      .patch(`/api/v1/orgs/${org.id}/units/${east}`)
      .set(owner.auth)
      .set('If-Match', current.headers.etag)
      .send({ parentId: ops })
      .expect(200);
    const stale = await t
      .http()
      .patch(`/api/v1/orgs/${org.id}/units/${east}`)
      .set(owner.auth)
      .set('If-Match', current.headers.etag)
      .send({ name: 'East 2' })
      .expect(412);
    expect(stale.body.code).toBe('precondition_failed');

    const tree = await t.http().get(`/api/v1/orgs/${org.id}/units`).set(owner.auth).expect(200);
    const byId = new Map(tree.body.items.map((u: { id: string }) => [u.id, u]));
    expect(byId.get(east)).toMatchObject({ parentId: ops, depth: 2 });
    expect(byId.get(eastTeam)).toMatchObject({ parentId: east, depth: 3 });
    const [{ path }] = await t.db.query('SELECT path::text AS path FROM org_units WHERE id = $1', [eastTeam]);
    expect(path.split('.')).toHaveLength(4);
  });

  it('refuses deleting a unit with members unless a target unit takes them', async () => {
    const doomed = await createUnit(t, owner, org, 'Doomed', org.rootUnitId);
    const child = await createUnit(t, owner, org, 'Doomed child', doomed);
    const member = await makeUser(t);
    await addMember(t, owner, org, member, child);

    const refused = await t
      .http()
      .delete(`/api/v1/orgs/${org.id}/units/${doomed}`)
      .set(owner.auth)
      .expect(409);
    expect(refused.body).toMatchObject({ code: 'reference_in_use', subUnits: 1 });

    await t
      .http()
      .delete(`/api/v1/orgs/${org.id}/units/${doomed}?targetUnitId=${org.rootUnitId}`)
      .set(owner.auth)
      .expect(204);
    const [row] = await t.db.query('SELECT unit_id FROM org_members WHERE org_id = $1 AND user_id = $2', [
      org.id,
      member.id,
    ]);
    expect(row.unit_id).toBe(org.rootUnitId);
    await t.http().get(`/api/v1/orgs/${org.id}/units/${child}`).set(owner.auth).expect(404);
    await t.http().delete(`/api/v1/orgs/${org.id}/units/${org.rootUnitId}`).set(owner.auth).expect(422);
  });

  it('invites by login; the invitee accepts; removal ends grants and API keys they made', async () => {
    const invitee = await makeUser(t);
    const invitation = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/members`)
      .set(owner.auth)
      .send({ login: invitee.email, unitId: org.rootUnitId, roleId: org.roles.admin, scope: 'org' })
      .expect(201);
    expect(invitation.body).toMatchObject({ status: 'pending', userId: invitee.id });
    const again = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/members`)
      .set(owner.auth)
      .send({ login: invitee.phone, unitId: org.rootUnitId })
      .expect(409);
    expect(again.body.code).toBe('duplicate');

    const pending = await t.http().get('/api/v1/me/invitations').set(invitee.auth).expect(200);
    expect(pending.body.items.map((i: { id: string }) => i.id)).toEqual([invitation.body.id]);
    const stranger = await makeUser(t);
    await t.http().post(`/api/v1/me/invitations/${invitation.body.id}/accept`).set(stranger.auth).expect(404);
    await t.http().post(`/api/v1/me/invitations/${invitation.body.id}/accept`).set(invitee.auth).expect(200);
    await t.http().post(`/api/v1/me/invitations/${invitation.body.id}/accept`).set(invitee.auth).expect(409);

    const key = await t
      .http()
      .post(`/api/v1/orgs/${org.id}/api-keys`)
      .set(invitee.auth)
      .send({
        name: 'Made by invitee',
        grants: [{ roleId: org.roles.viewer, unitId: org.rootUnitId, scope: 'org' }],
      })
      .expect(201);
    await t.http().delete(`/api/v1/orgs/${org.id}/members/${invitee.id}`).set(owner.auth).expect(204);

    await t.http().get(`/api/v1/orgs/${org.id}`).set(invitee.auth).expect(404);
    await t.http().get(`/api/v1/orgs/${org.id}/units`).set({ 'X-API-Key': key.body.key }).expect(401);
    const [{ count }] = await t.db.query(
      'SELECT count(*)::int AS count FROM access_grants WHERE user_id = $1',
      [invitee.id],
    );
    expect(count).toBe(0);
  });

  it('paginates members with a cursor and a capped limit', async () => {
    const first = await t.http().get(`/api/v1/orgs/${org.id}/members?limit=1`).set(owner.auth).expect(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t
      .http()
      .get(`/api/v1/orgs/${org.id}/members?limit=1&cursor=${first.body.nextCursor}`)
      .set(owner.auth)
      .expect(200);
    expect(second.body.items[0].userId).not.toBe(first.body.items[0].userId);
    const tooMany = await t
      .http()
      .get(`/api/v1/orgs/${org.id}/members?limit=1000`)
      .set(owner.auth)
      .expect(400);
    expect(tooMany.body.errors[0].field).toBe('limit');
    await t.http().get(`/api/v1/orgs/${org.id}/members?cursor=garbage`).set(owner.auth).expect(400);
  });

  describe('bad input never gets a 500', () => {
    it('malformed JSON → 400 malformed_json', async () => {
      const res = await t
        .http()
        .post('/api/v1/orgs')
        .set(owner.auth)
        .set('Content-Type', 'application/json')
        .send('{"name": "x",')
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('malformed_json');
    });

    it('unknown fields → 400 validation_failed naming the field', async () => {
      const res = await t
        .http()
        .post('/api/v1/orgs')
        .set(owner.auth)
        .send({ name: 'Acme', kind: 'agency', isAdmin: true })
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'isAdmin', message: 'unknown field' }],
      });
    });

    it('a non-UUID id → 400', async () => {
      const res = await t.http().get('/api/v1/orgs/not-a-uuid').set(owner.auth).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'orgId' }] });
      const unit = await t.http().get(`/api/v1/orgs/${org.id}/units/123`).set(owner.auth).expect(400);
      expect(unit.body.errors[0].field).toBe('unitId');
    });

    it('an oversized body → 413 payload_too_large', async () => {
      const res = await t
        .http()
        .post('/api/v1/orgs')
        .set(owner.auth)
        .send({ name: 'x'.repeat(2 * 1024 * 1024), kind: 'agency' })
        .expect(413);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('payload_too_large');
    });

    it('a unique-constraint clash → 409 duplicate', async () => {
      await t
        .http()
        .post(`/api/v1/orgs/${org.id}/roles`)
        .set(owner.auth)
        .send({ name: 'Editors', permissions: [] })
        .expect(201);
      const res = await t
        .http()
        .post(`/api/v1/orgs/${org.id}/roles`)
        .set(owner.auth)
        .send({ name: 'editors', permissions: [] })
        .expect(409);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('duplicate');
    });

    it('a foreign-key clash → 409 reference_in_use', async () => {
      const role = await t
        .http()
        .post(`/api/v1/orgs/${org.id}/roles`)
        .set(owner.auth)
        .send({ name: 'Held role', permissions: ['units:read'] })
        .expect(201);
      await t
        .http()
        .post(`/api/v1/orgs/${org.id}/members/${owner.id}/grants`)
        .set(owner.auth)
        .send({ roleId: role.body.id, unitId: org.rootUnitId, scope: 'unit' })
        .expect(201);
      const res = await t
        .http()
        .delete(`/api/v1/orgs/${org.id}/roles/${role.body.id}`)
        .set(owner.auth)
        .expect(409);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('reference_in_use');
    });

    it('a reference to another tenant’s unit → 422 reference_not_found', async () => {
      const res = await t
        .http()
        .post(`/api/v1/orgs/${org.id}/units`)
        .set(owner.auth)
        .send({ name: 'Stray', parentId: randomUUID() })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'reference_not_found', errors: [{ field: 'parentId' }] });
    });
  });
});
