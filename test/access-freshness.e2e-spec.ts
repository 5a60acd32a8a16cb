import { DataSource } from 'typeorm';
import { AccessTokenService } from '../src/modules/access/access-token.service';
import { AccessRepository } from '../src/modules/access/access.repository';
import { UserAccessService } from '../src/modules/access/user-access.service';
import { makeUser, signIn, TestUser } from './support/factories';
import { addMember, createOrg, createUnit, TestOrg } from './support/org-helpers';
import { createTestApp, TestApp } from './support/test-app';

/**
 * "Permission changes take effect on the next request" (DESIGN.md) while each process caches grants:
 * two app instances on one database, like two replicas. Every test first makes both instances cache
 * the caller's grants, then changes access on one instance (or in the database itself) and retries
 * at once on the other, and on the first. See docs/permissions.md, "Caching the grants".
 */
describe('access changes apply on the very next request, on every instance', () => {
  let a: TestApp;
  let b: TestApp;
  let owner: TestUser;
  let org: TestOrg;
  let teamA: string;
  let teamB: string;
  let inB: TestUser;

  const list = (app: TestApp, user: TestUser, orgId = org.id) =>
    app.http().get(`/api/v1/orgs/${orgId}/members?limit=100`).set(user.auth);

  const memberIds = async (app: TestApp, user: TestUser) => {
    const res = await list(app, user).expect(200);
    return (res.body.items as { userId: string }[]).map((m) => m.userId).sort();
  };

  /** Both instances serve the caller from their caches: the retry after a change is what counts. */
  const warm = async (user: TestUser, status = 200) => {
    for (const app of [a, b, a, b]) await list(app, user).expect(status);
  };

  const grantsOf = async (user: TestUser) => {
    const res = await a
      .http()
      .get(`/api/v1/orgs/${org.id}/members/${user.id}/grants`)
      .set(owner.auth)
      .expect(200);
    return res.body.items as { id: string; roleId: string | null }[];
  };

  const newAnalyst = async (unitId: string, scope: 'unit' | 'subtree' = 'unit') => {
    const user = await makeUser(a);
    await addMember(a, owner, org, user, unitId, { roleKey: 'analyst', scope });
    return user;
  };

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ databaseUrl: a.databaseUrl });
    owner = await makeUser(a);
    org = await createOrg(a, owner);
    teamA = await createUnit(a, owner, org, 'Team A', org.rootUnitId);
    teamB = await createUnit(a, owner, org, 'Team B', org.rootUnitId);
    inB = await makeUser(a);
    await addMember(a, owner, org, inB, teamB);
    // Two app instances boot here: more than the default hook timeout on a busy machine.
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  }, 30_000);

  it('serves repeated requests from the cache, the list carrying the check in its own statement', async () => {
    const analyst = await newAnalyst(teamA);
    const repository = a.get(AccessRepository);
    const loads = jest.spyOn(repository, 'loadMembership');
    const checks = jest.spyOn(repository, 'checkUser');
    const logger = a.get(DataSource).logger;
    const statements = jest.spyOn(logger, 'logQuery');
    try {
      await list(a, analyst).expect(200);
      expect(checks).toHaveBeenCalledTimes(1);
      statements.mockClear();
      for (let i = 0; i < 5; i++) await list(a, analyst).expect(200);
      expect(loads).toHaveBeenCalledTimes(1);
      expect(checks).toHaveBeenCalledTimes(1);
      // One round trip per request, and it is the list, which calls the check itself.
      expect(statements).toHaveBeenCalledTimes(5);
      for (const [sql] of statements.mock.calls) expect(sql).toContain('access_check_current');
      expect(a.get(UserAccessService).size).toBeGreaterThan(0);
    } finally {
      loads.mockRestore();
      checks.mockRestore();
      statements.mockRestore();
    }
  });

  it('a pure read with no scoped list (the unit tree) runs the check on its own before answering', async () => {
    const analyst = await newAnalyst(teamA);
    const units = (app: TestApp) => app.http().get(`/api/v1/orgs/${org.id}/units`).set(analyst.auth);
    for (const app of [a, b, a, b]) await units(app).expect(200);
    // The analyst role is what holds units:read here.
    const [grant] = await grantsOf(analyst);
    await b
      .http()
      .delete(`/api/v1/orgs/${org.id}/members/${analyst.id}/grants/${grant.id}`)
      .set(owner.auth)
      .expect(204);
    await units(a).expect(403);
    await units(b).expect(403);
  });

  it('a token verified once and kept by the process is still refused once it expires', async () => {
    const analyst = await newAnalyst(teamA);
    const tokens = a.get(AccessTokenService);
    // Signed so that it has a second and a half to live, by the wall clock jsonwebtoken reads.
    const issuedAt = new Date(Date.now() - tokens.ttlSeconds * 1000 + 1500);
    const token = tokens.sign({ sub: analyst.id, sid: analyst.sessionId }, issuedAt);
    const auth = { Authorization: `Bearer ${token}` };
    await a.http().get(`/api/v1/orgs/${org.id}/members`).set(auth).expect(200);
    await a.http().get(`/api/v1/orgs/${org.id}/members`).set(auth).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await a.http().get(`/api/v1/orgs/${org.id}/members`).set(auth).expect(401);
  });

  it('a revoked grant is refused on the next request, and a new one allowed', async () => {
    const analyst = await newAnalyst(teamA);
    await warm(analyst);
    const [grant] = await grantsOf(analyst);
    await b
      .http()
      .delete(`/api/v1/orgs/${org.id}/members/${analyst.id}/grants/${grant.id}`)
      .set(owner.auth)
      .expect(204);
    await list(a, analyst).expect(403);
    await list(b, analyst).expect(403);

    await a
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${analyst.id}/grants`)
      .set(owner.auth)
      .send({ roleId: org.roles.analyst, unitId: teamA, scope: 'unit' })
      .expect(201);
    await list(b, analyst).expect(200);
    await list(a, analyst).expect(200);
  });

  it('a grant deleted in the database itself, by no app code, is refused on the next request', async () => {
    const analyst = await newAnalyst(teamA);
    await warm(analyst);
    await a.db.query('DELETE FROM access_grants WHERE org_id = $1 AND user_id = $2', [org.id, analyst.id]);
    await list(a, analyst).expect(403);
    await list(b, analyst).expect(403);
  });

  it('a deny added on one instance applies on the other at once', async () => {
    const analyst = await newAnalyst(teamA);
    await warm(analyst);
    await a
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${analyst.id}/grants`)
      .set(owner.auth)
      .send({ permission: 'members:read', effect: 'deny', unitId: org.rootUnitId, scope: 'org' })
      .expect(201);
    await list(b, analyst).expect(403);
  });

  it('a removed member is not found on the next request', async () => {
    const analyst = await newAnalyst(teamA);
    await warm(analyst);
    await b.http().delete(`/api/v1/orgs/${org.id}/members/${analyst.id}`).set(owner.auth).expect(204);
    await list(a, analyst).expect(404);
    await list(b, analyst).expect(404);
  });

  it('an edited role applies to its holders on the next request', async () => {
    const role = await a
      .http()
      .post(`/api/v1/orgs/${org.id}/roles`)
      .set(owner.auth)
      .send({ name: `Readers ${Date.now()}`, permissions: ['members:read'] })
      .expect(201);
    const reader = await makeUser(a);
    await addMember(a, owner, org, reader, teamA);
    await a
      .http()
      .post(`/api/v1/orgs/${org.id}/members/${reader.id}/grants`)
      .set(owner.auth)
      .send({ roleId: role.body.id, unitId: teamA, scope: 'unit' })
      .expect(201);
    await warm(reader);

    await b
      .http()
      .patch(`/api/v1/orgs/${org.id}/roles/${role.body.id}`)
      .set(owner.auth)
      .send({ permissions: ['units:read'] })
      .expect(200);
    await list(a, reader).expect(403);
    await list(b, reader).expect(403);

    await a
      .http()
      .patch(`/api/v1/orgs/${org.id}/roles/${role.body.id}`)
      .set(owner.auth)
      .send({ permissions: ['members:read'] })
      .expect(200);
    await list(b, reader).expect(200);
  });

  it('a moved unit keeps its subtree scope on the next request (the grant reads its new path)', async () => {
    const teamX = await createUnit(a, owner, org, `Team X ${Date.now()}`, org.rootUnitId);
    const inX = await makeUser(a);
    await addMember(a, owner, org, inX, teamX);
    const lead = await newAnalyst(teamX, 'subtree');
    await warm(lead);
    expect(await memberIds(b, lead)).toEqual([inX.id, lead.id].sort());

    // Every path below Team X changes; a grant remembered with the old path would match nothing.
    await b
      .http()
      .patch(`/api/v1/orgs/${org.id}/units/${teamX}`)
      .set(owner.auth)
      .send({ parentId: teamB })
      .expect(200);
    expect(await memberIds(a, lead)).toEqual([inX.id, lead.id].sort());
    const seen = await memberIds(b, lead);
    expect(seen).toEqual([inX.id, lead.id].sort());
    expect(seen).not.toContain(inB.id);
  });

  it('a signed-out session is refused on the next request, while another session of the user works', async () => {
    const analyst = await newAnalyst(teamA);
    const other = await signIn(a, analyst.id);
    await warm(analyst);
    await b.http().post('/api/v1/auth/logout').set(analyst.auth).send({}).expect(204);
    await list(a, analyst).expect(401);
    await list(b, analyst).expect(401);
    await list(a, { ...analyst, ...other }).expect(200);
  });

  it('a disabled user and a suspended organization are refused on the next request', async () => {
    const analyst = await newAnalyst(teamA);
    await warm(analyst);
    await a.db.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [analyst.id]);
    await list(a, analyst).expect(401);
    await list(b, analyst).expect(401);
    await a.db.query(`UPDATE users SET status = 'active' WHERE id = $1`, [analyst.id]);
    await list(a, analyst).expect(200);

    await warm(analyst);
    await a.db.query(`UPDATE organizations SET status = 'suspended' WHERE id = $1`, [org.id]);
    await list(a, analyst).expect(404);
    await list(b, analyst).expect(404);
    await a.db.query(`UPDATE organizations SET status = 'active' WHERE id = $1`, [org.id]);
    await list(a, analyst).expect(200);
    await list(b, analyst).expect(200);
  });

  it('another tenant stays not found, cached or not', async () => {
    const outsider = await makeUser(a);
    const otherOrg = await createOrg(a, outsider, 'brand');
    const analyst = await newAnalyst(teamA);
    for (const app of [a, b, a]) await list(app, analyst, otherOrg.id).expect(404);
    await list(b, outsider).expect(404);
  });
});
