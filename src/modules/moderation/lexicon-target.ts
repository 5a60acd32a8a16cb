import { DomainError, ErrorCode } from '../../platform/errors';
import { DataScope } from '../access/data-scope';

/**
 * Which lexicon a request works on, with the caller's scope for the route's permission: the platform
 * lexicon (`orgId` null, platform routes) or the organization's own.
 */
export interface LexiconTarget {
  orgId: string | null;
  scope: DataScope;
}

export const platformLexicon = (scope: DataScope): LexiconTarget => ({ orgId: null, scope });

export const organizationLexicon = (scope: DataScope): LexiconTarget => ({ orgId: scope.orgId, scope });

/**
 * A lexicon (and a moderation policy) applies to everything the organization publishes, so changing
 * it needs the permission over the whole organization: a grant limited to a unit does not reach that
 * far, and an organization-wide deny of part of it fails closed here.
 */
export function assertEditable(target: LexiconTarget): void {
  if (!target.scope.coversOrganization) {
    throw new DomainError(
      ErrorCode.PermissionDenied,
      `Changing the lexicon needs ${target.scope.permission} over the whole organization`,
      { extensions: { permission: target.scope.permission } },
    );
  }
}
