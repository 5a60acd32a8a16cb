import { TestApp } from './test-app';
import { TestUser } from './factories';

export interface TestOrg {
  id: string;
  rootUnitId: string;
  roles: Record<string, string>;
}

/** Creates an organization through the API; `owner` becomes its owner. */
export async function createOrg(
  t: TestApp,
  owner: TestUser,
  kind: 'agency' | 'brand' = 'agency',
): Promise<TestOrg> {
  const created = await t
    .http()
    .post('/api/v1/orgs')
    .set(owner.auth)
    .send({ name: `Org ${Math.random().toString(36).slice(2, 8)}`, kind })
    .expect(201);
  const roles = await t
    .http()
    .get(`/api/v1/orgs/${created.body.id}/roles?limit=100`)
    .set(owner.auth)
    .expect(200);
  const byKey: Record<string, string> = {};
  for (const role of roles.body.items) if (role.systemKey) byKey[role.systemKey] = role.id;
  return { id: created.body.id, rootUnitId: created.body.rootUnitId, roles: byKey };
}

export async function createUnit(t: TestApp, owner: TestUser, org: TestOrg, name: string, parentId: string) {
  const res = await t
    .http()
    .post(`/api/v1/orgs/${org.id}/units`)
    .set(owner.auth)
    .send({ name, parentId })
    .expect(201);
  return res.body.id as string;
}

/** Invites `user` into `unitId` (optionally with a role grant) and has them accept. */
export async function addMember(
  t: TestApp,
  inviter: TestUser,
  org: TestOrg,
  user: TestUser,
  unitId: string,
  grant?: { roleKey: string; scope: 'self' | 'unit' | 'subtree' | 'org' },
): Promise<void> {
  const invitation = await t
    .http()
    .post(`/api/v1/orgs/${org.id}/members`)
    .set(inviter.auth)
    .send({
      login: user.username,
      unitId,
      ...(grant ? { roleId: org.roles[grant.roleKey], scope: grant.scope } : {}),
    })
    .expect(201);
  await t.http().post(`/api/v1/me/invitations/${invitation.body.id}/accept`).set(user.auth).expect(200);
}
