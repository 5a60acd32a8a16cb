import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AccountStatus,
  AuthorizationScope,
  effectiveStatus,
  SocialPlatform,
} from '../../social-accounts/social-account.types';
import { PublishTargetAccount } from './publish-connector';

/** Why publishing to an account is refused at publish time; stored as the event's reason code. */
export type RefusalCode =
  | 'account_archived'
  | 'account_unavailable'
  | 'not_authorized'
  | 'authorization_revoked'
  | 'authorization_expired'
  | 'authorization_scope_missing'
  | 'account_not_assigned';

export interface Refusal {
  code: RefusalCode;
  /** Shown to people (last_publish_error, the owner's notification). */
  reason: string;
}

export interface AuthorizationFact {
  status: 'offered' | 'active' | 'declined' | 'revoked' | 'expired';
  scopes: AuthorizationScope[];
  validFrom: Date;
  validUntil: Date;
}

/** What the database says about the account and the publishing organization's rights on it. */
export interface EligibilityFacts {
  account: PublishTargetAccount;
  status: AccountStatus;
  suspendedUntil: Date | null;
  archived: boolean;
  /** The agency's authorizations from the brand covering the account, newest first (none for the brand). */
  authorizations: AuthorizationFact[];
  /** Whether the agency still assigns the account to some unit or member. */
  assigned: boolean;
}

export type Eligibility =
  | { eligible: true; account: PublishTargetAccount }
  | ({ eligible: false } & Refusal & { account: PublishTargetAccount });

/**
 * The account access rule (SocialAccountAccess.require with `{ authorization: 'publish' }`) as the
 * publish job applies it for an organization rather than for a member, since a job has no DataScope:
 *
 * - the brand that owns the account may publish while the account is active;
 * - an agency needs an active, unexpired authorization from the brand covering the account with the
 *   `publish` scope, the account still assigned somewhere in the agency, and the account active.
 *
 * The member-level part of the rule (the author's grants covering the assignment) was checked when the
 * content was targeted; it is not repeated here because the job publishes for the organization, and an
 * approved text has already passed someone else's review. The assignment itself is re-checked: once an
 * agency has removed every assignment of an account, nobody there operates it and nothing should go out.
 */
export function judgeEligibility(facts: EligibilityFacts, publishingOrgId: string, now: Date): Eligibility {
  const refuse = (code: RefusalCode, reason: string): Eligibility => ({
    eligible: false,
    code,
    reason,
    account: facts.account,
  });
  const handle = `@${facts.account.handle}`;
  if (facts.archived)
    return refuse('account_archived', `The account ${handle} has been archived by its brand`);

  if (facts.account.brandOrgId !== publishingOrgId) {
    const current = facts.authorizations.filter(
      (a) => a.status === 'active' && a.validFrom <= now && a.validUntil > now,
    );
    if (!current.some((a) => a.scopes.includes('publish')))
      return refuse(...authorizationGap(facts, current, handle, now));
    if (!facts.assigned) {
      return refuse(
        'account_not_assigned',
        `The account ${handle} is no longer assigned to anyone in your organization`,
      );
    }
  }

  const status = effectiveStatus(facts.status, facts.suspendedUntil, now);
  if (status !== 'active') return refuse('account_unavailable', `The account ${handle} is ${status}`);
  return { eligible: true, account: facts.account };
}

/** Names the most specific reason an agency may not publish: wrong scope, revoked, expired, or never authorized. */
function authorizationGap(
  facts: EligibilityFacts,
  current: AuthorizationFact[],
  handle: string,
  now: Date,
): [RefusalCode, string] {
  if (current.length > 0) {
    return [
      'authorization_scope_missing',
      `The brand's authorization for ${handle} does not include publishing`,
    ];
  }
  const latest = facts.authorizations[0];
  if (latest?.status === 'revoked') {
    return ['authorization_revoked', `The brand revoked the authorization to publish on ${handle}`];
  }
  if (latest && (latest.status === 'expired' || (latest.status === 'active' && latest.validUntil <= now))) {
    return ['authorization_expired', `The brand's authorization to publish on ${handle} has expired`];
  }
  return ['not_authorized', `Your organization holds no active authorization to publish on ${handle}`];
}

interface FactsRow {
  id: string;
  org_id: string;
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
  assigned: boolean;
}

/** Reads the facts in one query and judges them; run it in the claim's transaction. */
@Injectable()
export class PublishEligibility {
  async check(
    manager: EntityManager,
    target: { accountId: string; publishingOrgId: string },
    now: Date,
  ): Promise<Eligibility> {
    const [row]: FactsRow[] = await manager.query(
      `SELECT a.id, a.org_id, a.platform, a.handle, a.status, a.suspended_until, a.archived_at IS NOT NULL AS archived,
         COALESCE((SELECT json_agg(json_build_object('status', z.status, 'scopes', z.scopes,
                                                     'validFrom', z.valid_from, 'validUntil', z.valid_until)
                                   ORDER BY z.created_at DESC, z.id DESC)
                     FROM account_authorization_accounts za
                     JOIN account_authorizations z ON z.id = za.authorization_id
                    WHERE za.account_id = a.id AND z.agency_org_id = $2 AND z.brand_org_id = a.org_id),
                  '[]'::json) AS authorizations,
         EXISTS (SELECT 1 FROM account_assignments s WHERE s.account_id = a.id AND s.org_id = $2) AS assigned
       FROM social_accounts a WHERE a.id = $1`,
      [target.accountId, target.publishingOrgId],
    );
    if (!row) throw new Error(`Content targets social account ${target.accountId}, which does not exist`);
    const brandOrgId = row.org_id;
    return judgeEligibility(
      {
        account: {
          id: row.id,
          platform: row.platform,
          handle: row.handle,
          brandOrgId,
          agencyOrgId: brandOrgId === target.publishingOrgId ? null : target.publishingOrgId,
        },
        status: row.status,
        suspendedUntil: row.suspended_until,
        archived: row.archived,
        authorizations: row.authorizations.map((a) => ({
          status: a.status,
          scopes: a.scopes,
          validFrom: new Date(a.validFrom),
          validUntil: new Date(a.validUntil),
        })),
        assigned: row.assigned,
      },
      target.publishingOrgId,
      now,
    );
  }
}
