import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../platform/clock/clock';
import { AccessGrant } from '../modules/access/access-grant.entity';
import { PLATFORM_ORG_ID, PLATFORM_ROOT_UNIT_ID } from '../modules/access/platform-org';
import { Role } from '../modules/access/role.entity';
import { CreatedUser, UserAccountsService } from '../modules/auth/user-accounts.service';
import { OrgMember } from '../modules/organizations/org-member.entity';

export interface CreatePlatformAdminOptions {
  username: string;
  password: string;
  email?: string;
  phone?: string;
}

/**
 * Creates a user under the same rules as registration (username shape, password policy, argon2id,
 * uniqueness) and makes them an owner of the whole platform organization: an active member of its root
 * unit holding the platform `owner` system role with scope `org`. All in one transaction.
 */
export async function createPlatformAdmin(
  app: INestApplicationContext,
  options: CreatePlatformAdminOptions,
): Promise<CreatedUser> {
  const accounts = app.get(UserAccountsService, { strict: false });
  const dataSource = app.get(DataSource, { strict: false });
  const clock = app.get(Clock, { strict: false });

  const prepared = await accounts.prepare({
    username: options.username,
    password: options.password,
    email: options.email ?? null,
    phone: options.phone ?? null,
  });
  return dataSource.transaction(async (manager) => {
    const owner = await manager.findOne(Role, { where: { orgId: PLATFORM_ORG_ID, systemKey: 'owner' } });
    if (!owner) throw new Error('The platform organization has no owner role: are the migrations applied?');
    const user = await accounts.insert(manager, prepared);
    await manager.insert(OrgMember, {
      orgId: PLATFORM_ORG_ID,
      userId: user.id,
      unitId: PLATFORM_ROOT_UNIT_ID,
      status: 'active',
      joinedAt: clock.now(),
    });
    await manager.insert(AccessGrant, {
      orgId: PLATFORM_ORG_ID,
      userId: user.id,
      roleId: owner.id,
      effect: 'allow',
      unitId: PLATFORM_ROOT_UNIT_ID,
      scope: 'org',
      grantedBy: null,
    });
    return user;
  });
}
