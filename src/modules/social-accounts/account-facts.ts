import { EntityManager } from 'typeorm';
import { AccountStatus, AuthorizationScope, SocialPlatform } from './social-account.types';

/** One of an organization's authorizations over an account, as the access rule reads it. */
export interface AuthorizationFact {
  status: 'offered' | 'active' | 'declined' | 'revoked' | 'expired';
  scopes: AuthorizationScope[];
  validFrom: Date;
  validUntil: Date;
}

/** What the database says about one account, seen from one organization (owner brand or agency). */
export interface AccountFacts {
  accountId: string;
  /** The brand that owns the account. */
  brandOrgId: string;
  unitId: string;
  unitPath: string;
  platform: SocialPlatform;
  handle: string;
  status: AccountStatus;
  suspendedUntil: Date | null;
  archived: boolean;
  /** The viewing organization's authorizations from the brand covering the account, newest first. */
  authorizations: AuthorizationFact[];
  /** The viewing organization's assignments of the account. */
  assignments: { unitPath: string; memberId: string | null }[];
  /** The viewing organization's root unit: where an authorized account sits until it is assigned. */
  viewerRootPath: string | null;
}

interface FactsRow {
  id: string;
  org_id: string;
  unit_id: string;
  unit_path: string;
  platform: SocialPlatform;
  handle: string;
  status: AccountStatus;
  suspended_until: Date | null;
  archived: boolean;
  authorizations: {
    status: AuthorizationFact['status'];
    scopes: AuthorizationScope[];
    validFrom: string;
    validUntil: string;
  }[];
  assignments: { unitPath: string; memberId: string | null }[];
  viewer_root_path: string | null;
}

/** Reads the facts in one query; null when the account does not exist at all. */
export async function loadAccountFacts(
  manager: EntityManager,
  accountId: string,
  viewerOrgId: string,
): Promise<AccountFacts | null> {
  const [row]: FactsRow[] = await manager.query(
    `SELECT a.id, a.org_id, a.unit_id, u.path::text AS unit_path, a.platform, a.handle, a.status, a.suspended_until,
       a.archived_at IS NOT NULL AS archived,
       COALESCE((SELECT json_agg(json_build_object('status', z.status, 'scopes', z.scopes,
                                                   'validFrom', z.valid_from, 'validUntil', z.valid_until)
                                 ORDER BY z.created_at DESC, z.id DESC)
                   FROM account_authorization_accounts za
                   JOIN account_authorizations z ON z.id = za.authorization_id
                  WHERE za.account_id = a.id AND z.agency_org_id = $2 AND z.brand_org_id = a.org_id), '[]'::json)
         AS authorizations,
       COALESCE((SELECT json_agg(json_build_object('unitPath', su.path::text, 'memberId', s.member_id))
                   FROM account_assignments s JOIN org_units su ON su.id = s.unit_id
                  WHERE s.account_id = a.id AND s.org_id = $2), '[]'::json) AS assignments,
       (SELECT r.path::text FROM org_units r WHERE r.org_id = $2 AND r.parent_id IS NULL) AS viewer_root_path
     FROM social_accounts a JOIN org_units u ON u.id = a.unit_id
     WHERE a.id = $1`,
    [accountId, viewerOrgId],
  );
  if (!row) return null;
  return {
    accountId: row.id,
    brandOrgId: row.org_id,
    unitId: row.unit_id,
    unitPath: row.unit_path,
    platform: row.platform,
    handle: row.handle,
    status: row.status,
    suspendedUntil: row.suspended_until,
    archived: row.archived,
    authorizations: row.authorizations.map((a) => ({
      status: a.status,
      scopes: a.scopes,
      validFrom: new Date(a.validFrom),
      validUntil: new Date(a.validUntil),
    })),
    assignments: row.assignments,
    viewerRootPath: row.viewer_root_path,
  };
}

/** Accepted, not revoked, and inside its window now: the only authorizations that grant anything. */
export const currentAuthorizations = (facts: AccountFacts, now: Date): AuthorizationFact[] =>
  facts.authorizations.filter(
    (a) =>
      a.status === 'active' &&
      a.validFrom.getTime() <= now.getTime() &&
      a.validUntil.getTime() > now.getTime(),
  );
