import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { DataScope, ScopedRow } from '../access/data-scope';
import { AccountFacts, currentAuthorizations, loadAccountFacts } from './account-facts';
import { judgeOrganizationAccess, OrganizationAccess } from './organization-access';
import { AccountStatus, AuthorizationScope, effectiveStatus } from './social-account.types';

/** What a caller may do with one social account, as the access rule established it. */
export interface AccountAccess {
  accountId: string;
  /** The brand organization that owns the account. */
  brandOrgId: string;
  unitId: string;
  status: AccountStatus;
  /** `owner`: the caller's organization owns the account; `agency`: it operates it under authorization. */
  via: 'owner' | 'agency';
  /** The agency acting, when `via` is `agency`. */
  agencyOrgId: string | null;
  /** The union of scopes of the agency's active authorizations for this account. */
  authorizedScopes: AuthorizationScope[];
}

export interface AccessNeed {
  /** The authorization scope the action needs (ignored for the owning brand). */
  authorization?: AuthorizationScope;
  /**
   * Refuse when the account is frozen or suspended: `true` (default) for everyone, `'agency'` only for
   * agencies (the owning brand keeps control of a frozen account), `false` for reads.
   */
  operable?: boolean | 'agency';
}

/**
 * The one rule for using a managed social account, which every module calls:
 *
 * - the brand that owns it: the caller's scope for the route's permission covers the account's unit;
 * - an agency: the member's own scope covers where the account sits in the agency now (one of its
 *   assignments, or the agency's root unit while it has none), an active, unexpired authorization from
 *   the brand covers the account and the action's scope, and the account is neither frozen nor
 *   suspended.
 *
 * An account outside the caller's scope answers 404 like one that does not exist, whatever the
 * module: a unit-scoped member must not learn that a sibling unit operates an account. Times come
 * from the Clock, so an expired or revoked authorization stops working on the next request.
 */
@Injectable()
export class SocialAccountAccess {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async require(
    scope: DataScope,
    accountId: string,
    need: AccessNeed = {},
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AccountAccess> {
    const now = this.clock.now();
    const facts = await loadAccountFacts(manager, accountId, scope.orgId);
    if (!facts || facts.archived) throw DomainError.notFound('Social account');
    const status = effectiveStatus(facts.status, facts.suspendedUntil, now);
    const base = { accountId: facts.accountId, brandOrgId: facts.brandOrgId, unitId: facts.unitId, status };

    if (facts.brandOrgId === scope.orgId) {
      if (!scope.permits({ unitPath: facts.unitPath, ownerId: null }))
        throw DomainError.notFound('Social account');
      if (need.operable !== 'agency') assertOperable(status, need);
      return { ...base, via: 'owner', agencyOrgId: null, authorizedScopes: [] };
    }

    const current = currentAuthorizations(facts, now);
    if (current.length === 0) throw DomainError.notFound('Social account');
    const authorizedScopes = [...new Set(current.flatMap((a) => a.scopes))];
    if (!agencyPositions(facts).some((position) => scope.permits(position))) {
      throw DomainError.notFound('Social account');
    }
    if (need.authorization && !authorizedScopes.includes(need.authorization)) {
      throw new DomainError(
        ErrorCode.AuthorizationScopeMissing,
        `The brand has not authorized "${need.authorization}" on this account`,
        { extensions: { requiredScope: need.authorization, authorizedScopes } },
      );
    }
    assertOperable(status, need);
    return { ...base, via: 'agency', agencyOrgId: scope.orgId, authorizedScopes };
  }

  /**
   * The same rule for an organization as a whole, for jobs acting on its behalf (no member, no scope):
   * answers the facts read and whether the organization may act, with the refusal named. Null when the
   * account does not exist.
   */
  async forOrganization(
    manager: EntityManager,
    orgId: string,
    accountId: string,
    scope: AuthorizationScope,
  ): Promise<{ facts: AccountFacts; access: OrganizationAccess } | null> {
    const facts = await loadAccountFacts(manager, accountId, orgId);
    if (!facts) return null;
    return { facts, access: judgeOrganizationAccess(facts, orgId, scope, this.clock.now()) };
  }

  /**
   * Restricts a query over `social_accounts` (aliased `alias`) to the accounts the caller may see with
   * its scope: its own organization's accounts within the scope, or accounts authorized to it and
   * assigned within the scope. Call before paging, like `DataScope.apply`.
   */
  applyVisibility<E extends ObjectLiteral>(
    qb: SelectQueryBuilder<E>,
    scope: DataScope,
    alias: string,
    need: Pick<AccessNeed, 'authorization'> = {},
  ): SelectQueryBuilder<E> {
    const owned = qb.subQuery().select('1').from('social_accounts', 'own').where(`own.id = ${alias}.id`);
    scope.apply(owned, { org: 'own.org_id', unit: 'own.unit_id' });

    const assigned = qb
      .subQuery()
      .select('1')
      .from('account_assignments', 'asg')
      .where(`asg.account_id = ${alias}.id`);
    scope.apply(assigned, { org: 'asg.org_id', unit: 'asg.unit_id', owner: 'asg.member_id' });

    // Not yet assigned anywhere in the agency: it sits at the agency's root unit.
    const anyAssignment = qb
      .subQuery()
      .select('1')
      .from('account_assignments', 'any_asg')
      .where(`any_asg.account_id = ${alias}.id`)
      .andWhere('any_asg.org_id = :__visOrg');
    const root = qb
      .subQuery()
      .select('1')
      .from('org_units', 'root_unit')
      .where('root_unit.parent_id IS NULL');
    scope.apply(root, { org: 'root_unit.org_id', unit: 'root_unit.id' });

    const authorized = qb
      .subQuery()
      .select('1')
      .from('account_authorization_accounts', 'za')
      .innerJoin('account_authorizations', 'z', 'z.id = za.authorization_id')
      .where(`za.account_id = ${alias}.id`)
      .andWhere('z.agency_org_id = :__visOrg', { __visOrg: scope.orgId })
      .andWhere(`z.brand_org_id = ${alias}.org_id`)
      .andWhere(`z.status = 'active' AND z.valid_from <= :__visNow AND z.valid_until > :__visNow`, {
        __visNow: this.clock.now(),
      });
    if (need.authorization) {
      authorized.andWhere('CAST(:__visScope AS varchar) = ANY(z.scopes)', { __visScope: need.authorization });
    }

    return qb.andWhere(
      `(${alias}.archived_at IS NULL AND (EXISTS ${owned.getQuery()} OR (EXISTS ${authorized.getQuery()} AND ` +
        `(EXISTS ${assigned.getQuery()} OR (NOT EXISTS ${anyAssignment.getQuery()} AND EXISTS ${root.getQuery()})))))`,
    );
  }
}

/** Where an authorized account sits in the agency: its assignments, or the root unit while it has none. */
function agencyPositions(facts: AccountFacts): ScopedRow[] {
  if (facts.assignments.length > 0) {
    return facts.assignments.map((a) => ({ unitPath: a.unitPath, ownerId: a.memberId }));
  }
  return [{ unitPath: facts.viewerRootPath, ownerId: null }];
}

function assertOperable(status: AccountStatus, need: AccessNeed) {
  if ((need.operable ?? true) !== false && status !== 'active') {
    throw new DomainError(ErrorCode.SocialAccountUnavailable, `The account is ${status}`, {
      extensions: { accountStatus: status },
    });
  }
}
