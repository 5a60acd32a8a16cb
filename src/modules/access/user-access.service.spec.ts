import { AppConfig } from '../../platform/config/app-config';
import { Environment } from '../../platform/config/config.schema';
import { AccessRepository, Membership, UserAccessCheck } from './access.repository';
import { ScopedGrant } from './actor';
import { UserAccessService } from './user-access.service';

const grant: ScopedGrant = {
  grantId: 'g1',
  permission: 'members:read',
  effect: 'allow',
  scope: 'unit',
  unitId: 'u1',
  unitPath: 'u1',
  roleId: null,
  roleName: null,
};

/** A repository whose answers the test sets, counting the membership reads. */
function fakeRepository() {
  const state = {
    check: { sessionOk: true, orgKind: 'agency', accessVersion: '1' } as UserAccessCheck,
    membership: { accessVersion: '1', orgKind: 'agency', member: true, grants: [grant] } as Membership,
    loads: 0,
    fullLoads: 0,
  };
  const repository = {
    checkUser: async () => state.check,
    loadMembership: async () => {
      state.loads += 1;
      return { ...state.membership, grants: [...state.membership.grants] };
    },
    loadForUser: async () => {
      state.fullLoads += 1;
      return { principalValid: true, orgKind: 'agency' as const, grants: [grant] };
    },
  };
  return { state, repository: repository as unknown as AccessRepository };
}

const config = (size: number) => new AppConfig({ ACCESS_CACHE_SIZE: size } as Environment);
const now = new Date();

describe('UserAccessService', () => {
  it('reuses grants while the access version is unchanged and reloads when it changes', async () => {
    const { state, repository } = fakeRepository();
    const access = new UserAccessService(repository, config(10));
    await access.load('user', 'session', 'org', now);
    await access.load('user', 'session', 'org', now);
    expect(state.loads).toBe(1);
    state.check = { ...state.check, accessVersion: '2' };
    state.membership = { accessVersion: '2', orgKind: null, member: false, grants: [] };
    expect(await access.load('user', 'session', 'org', now)).toEqual({
      principalValid: true,
      orgKind: null,
      grants: [],
    });
    expect(state.loads).toBe(2);
  });

  it('never reuses a membership read without a version', async () => {
    const { state, repository } = fakeRepository();
    state.check = { ...state.check, accessVersion: null };
    state.membership = { ...state.membership, accessVersion: null };
    const access = new UserAccessService(repository, config(10));
    await access.load('user', 'session', 'org', now);
    await access.load('user', 'session', 'org', now);
    expect(state.loads).toBe(2);
    expect(access.size).toBe(0);
  });

  it('refuses a dead session and a missing organization without reading grants', async () => {
    const { state, repository } = fakeRepository();
    const access = new UserAccessService(repository, config(10));
    state.check = { sessionOk: false, orgKind: null, accessVersion: null };
    expect((await access.load('user', 'session', 'org', now)).principalValid).toBe(false);
    state.check = { sessionOk: true, orgKind: null, accessVersion: null };
    expect(await access.load('user', 'session', 'org', now)).toMatchObject({ orgKind: null, grants: [] });
    expect(state.loads).toBe(0);
  });

  it('keeps at most ACCESS_CACHE_SIZE entries, dropping the least recently used, and freezes them', async () => {
    const { state, repository } = fakeRepository();
    const access = new UserAccessService(repository, config(2));
    const first = await access.load('u1', 's', 'org', now);
    await access.load('u2', 's', 'org', now);
    await access.load('u1', 's', 'org', now);
    await access.load('u3', 's', 'org', now);
    expect(access.size).toBe(2);
    expect(state.loads).toBe(3);
    await access.load('u1', 's', 'org', now);
    expect(state.loads).toBe(3);
    await access.load('u2', 's', 'org', now);
    expect(state.loads).toBe(4);
    expect(Object.isFrozen(first.grants)).toBe(true);
    expect(Object.isFrozen(first.grants[0])).toBe(true);
  });

  it('with ACCESS_CACHE_SIZE=0 reads everything in one query on every request', async () => {
    const { state, repository } = fakeRepository();
    const access = new UserAccessService(repository, config(0));
    await access.load('user', 'session', 'org', now);
    await access.load('user', 'session', 'org', now);
    expect(state.fullLoads).toBe(2);
    expect(state.loads).toBe(0);
  });
});
