import { AccountFacts, AuthorizationFact, currentAuthorizations } from './account-facts';
import { AuthorizationScope, effectiveStatus } from './social-account.types';

/** Why an organization may not act on an account, for jobs acting on an organization's behalf. */
export type OrganizationRefusalCode =
  | 'account_archived'
  | 'account_unavailable'
  | 'not_authorized'
  | 'authorization_revoked'
  | 'authorization_expired'
  | 'authorization_scope_missing'
  | 'account_not_assigned';

export type OrganizationAccess =
  { allowed: true } | { allowed: false; code: OrganizationRefusalCode; reason: string };

/**
 * The account access rule for an organization rather than a member, as a job (publishing at the
 * scheduled time) applies it: there is no caller's scope, so "an assignment the member's scope covers"
 * becomes "the account is still assigned somewhere in the agency". Everything else is the same rule as
 * `SocialAccountAccess.require`, with the refusal named precisely because people read it later.
 */
export function judgeOrganizationAccess(
  facts: AccountFacts,
  orgId: string,
  scope: AuthorizationScope,
  now: Date,
): OrganizationAccess {
  const refuse = (code: OrganizationRefusalCode, reason: string): OrganizationAccess => ({
    allowed: false,
    code,
    reason,
  });
  const handle = `@${facts.handle}`;
  if (facts.archived)
    return refuse('account_archived', `The account ${handle} has been archived by its brand`);

  if (facts.brandOrgId !== orgId) {
    const current = currentAuthorizations(facts, now);
    if (!current.some((a) => a.scopes.includes(scope))) {
      return refuse(...authorizationGap(facts.authorizations, current, handle, scope, now));
    }
    if (facts.assignments.length === 0) {
      return refuse(
        'account_not_assigned',
        `The account ${handle} is no longer assigned to anyone in your organization`,
      );
    }
  }

  const status = effectiveStatus(facts.status, facts.suspendedUntil, now);
  if (status !== 'active') return refuse('account_unavailable', `The account ${handle} is ${status}`);
  return { allowed: true };
}

/** The most specific reason: wrong scope, revoked, expired, or never authorized. */
function authorizationGap(
  all: AuthorizationFact[],
  current: AuthorizationFact[],
  handle: string,
  scope: AuthorizationScope,
  now: Date,
): [OrganizationRefusalCode, string] {
  if (current.length > 0) {
    return [
      'authorization_scope_missing',
      `The brand's authorization for ${handle} does not include "${scope}"`,
    ];
  }
  const latest = all[0];
  if (latest?.status === 'revoked') {
    return ['authorization_revoked', `The brand revoked the authorization to ${scope} on ${handle}`];
  }
  if (latest && (latest.status === 'expired' || (latest.status === 'active' && latest.validUntil <= now))) {
    return ['authorization_expired', `The brand's authorization to ${scope} on ${handle} has expired`];
  }
  return ['not_authorized', `Your organization holds no active authorization to ${scope} on ${handle}`];
}
