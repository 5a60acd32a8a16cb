import { AuthorizationScope } from '../../src/modules/social-accounts/social-account.types';
import { FixtureOrg } from './org-fixtures';
import { TestApp } from './test-app';

/**
 * Social accounts, authorizations and assignments made directly in SQL, for tests of modules that use
 * accounts (usage records, credentials, content). The social-accounts e2e tests use the API instead.
 */

let externalSequence = 0;

export async function insertAccount(
  t: TestApp,
  brand: FixtureOrg,
  options: { unitId?: string; status?: 'active' | 'frozen' | 'suspended'; handle?: string } = {},
): Promise<string> {
  externalSequence += 1;
  const external = `ext-${Date.now()}-${externalSequence}-${Math.random().toString(36).slice(2, 6)}`;
  const status = options.status ?? 'active';
  const [{ id }] = await t.db.query(
    `INSERT INTO social_accounts (org_id, unit_id, platform, handle, display_name, external_user_id, status, status_reason)
     VALUES ($1, $2, 'douyin', $3, $3, $4, $5, $6) RETURNING id`,
    [
      brand.id,
      options.unitId ?? brand.rootUnitId,
      options.handle ?? `handle_${externalSequence}`,
      external,
      status,
      status === 'suspended' ? 'platform suspension' : null,
    ],
  );
  return id;
}

/** An authorization from `brand` to `agency` over `accountIds`; active and valid for 30 days by default. */
export async function insertAuthorization(
  t: TestApp,
  brand: FixtureOrg,
  agency: FixtureOrg,
  accountIds: string[],
  options: {
    scopes?: AuthorizationScope[];
    status?: 'offered' | 'active' | 'declined' | 'revoked' | 'expired';
    validFrom?: Date;
    validUntil?: Date;
  } = {},
): Promise<string> {
  const now = t.clock.now().getTime();
  const [{ id }] = await t.db.query(
    `INSERT INTO account_authorizations (brand_org_id, agency_org_id, scopes, valid_from, valid_until, status)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      brand.id,
      agency.id,
      options.scopes ?? ['publish', 'analytics', 'ads', 'messages', 'manage'],
      options.validFrom ?? new Date(now - 60_000),
      options.validUntil ?? new Date(now + 30 * 86_400_000),
      options.status ?? 'active',
    ],
  );
  for (const accountId of accountIds) {
    await t.db.query(
      `INSERT INTO account_authorization_accounts (authorization_id, account_id) VALUES ($1, $2)`,
      [id, accountId],
    );
  }
  return id;
}

/** Assigns an account inside the agency to a unit (root by default), optionally to one member. */
export async function insertAssignment(
  t: TestApp,
  agency: FixtureOrg,
  accountId: string,
  options: { unitId?: string; memberId?: string } = {},
): Promise<string> {
  const [{ id }] = await t.db.query(
    `INSERT INTO account_assignments (org_id, account_id, unit_id, member_id) VALUES ($1, $2, $3, $4) RETURNING id`,
    [agency.id, accountId, options.unitId ?? agency.rootUnitId, options.memberId ?? null],
  );
  return id;
}
