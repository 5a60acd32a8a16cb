import { apiClient, expectData } from './api-client';
import { TestUser } from './factories';
import { TestApp } from './test-app';

export interface TestOrg {
  id: string;
  rootUnitId: string;
  roles: Record<string, string>;
}

/*
 * Tenant set-up shared by every e2e file, through the generated client (clients/typescript): each file's
 * organizations, units and members are made the way a partner's integration would make them.
 */

/** Creates an organization through the API; `owner` becomes its owner. */
export async function createOrg(
  t: TestApp,
  owner: TestUser,
  kind: 'agency' | 'brand' = 'agency',
): Promise<TestOrg> {
  const client = apiClient(t, { accessToken: owner.token });
  const created = expectData(
    await client.POST('/api/v1/orgs', {
      body: { name: `Org ${Math.random().toString(36).slice(2, 8)}`, kind },
    }),
    201,
  );
  const roles = expectData(
    await client.GET('/api/v1/orgs/{orgId}/roles', {
      params: { path: { orgId: created.id }, query: { limit: 100 } },
    }),
    200,
  );
  const byKey: Record<string, string> = {};
  for (const role of roles.items) if (role.systemKey) byKey[role.systemKey] = role.id;
  return { id: created.id, rootUnitId: created.rootUnitId, roles: byKey };
}

export async function createUnit(t: TestApp, owner: TestUser, org: TestOrg, name: string, parentId: string) {
  const created = await apiClient(t, { accessToken: owner.token }).POST('/api/v1/orgs/{orgId}/units', {
    params: { path: { orgId: org.id } },
    body: { name, parentId },
  });
  return expectData(created, 201).id;
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
  const invitation = expectData(
    await apiClient(t, { accessToken: inviter.token }).POST('/api/v1/orgs/{orgId}/members', {
      params: { path: { orgId: org.id } },
      body: {
        login: user.username,
        unitId,
        ...(grant ? { roleId: org.roles[grant.roleKey], scope: grant.scope } : {}),
      },
    }),
    201,
  );
  const accepted = await apiClient(t, { accessToken: user.token }).POST(
    '/api/v1/me/invitations/{invitationId}/accept',
    { params: { path: { invitationId: invitation.id } } },
  );
  expectData(accepted, 200);
}
