import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { DataScope } from '../access/data-scope';
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
  /**
   * Require an assignment in the caller's scope (default true). Only the assignment endpoints pass
   * false: an agency must be able to assign an account it has been authorized for before anyone operates it.
   */
  assigned?: boolean;
}

interface AccessRow {
  id: string;
  org_id: string;
  unit_id: string;
  unit_path: string;
  status: AccountStatus;
  suspended_until: Date | null;
  authorizations: { scopes: AuthorizationScope[] }[] | null;
  assignments: { unitPath: string; memberId: string | null }[] | null;
}

/**
 * The one rule for using a managed social account, which every module calls:
 *
 * - the brand that owns it: the caller's scope for the route's permission covers the account's unit;
 * - an agency: the member's own scope covers an assignment of the account inside the agency, an
 *   active, unexpired authorization from the brand covers the account and the action's scope, and
 *   the account is neither frozen nor suspended.
 *
 * An account the caller's organization neither owns nor holds an authorization for answers 404.
 * Times come from the Clock, so an expired or revoked authorization stops working on the next request.
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
    const rows: AccessRow[] = await manager.query(
      `SELECT a.id, a.org_id, a.unit_id, u.path::text AS unit_path, a.status, a.suspended_until,
         (SELECT json_agg(json_build_object('scopes', z.scopes))
            FROM account_authorization_accounts za
            JOIN account_authorizations z ON z.id = za.authorization_id
           WHERE za.account_id = a.id AND z.agency_org_id = $2 AND z.brand_org_id = a.org_id
             AND z.status = 'active' AND z.valid_from <= $3 AND z.valid_until > $3) AS authorizations,
         (SELECT json_agg(json_build_object('unitPath', su.path::text, 'memberId', s.member_id))
            FROM account_assignments s JOIN org_units su ON su.id = s.unit_id
           WHERE s.account_id = a.id AND s.org_id = $2) AS assignments
       FROM social_accounts a JOIN org_units u ON u.id = a.unit_id
       WHERE a.id = $1 AND a.archived_at IS NULL`,
      [accountId, scope.orgId, now],
    );
    const row = rows[0];
    if (!row) throw DomainError.notFound('Social account');
    const status = effectiveStatus(row.status, row.suspended_until, now);
    const base = { accountId: row.id, brandOrgId: row.org_id, unitId: row.unit_id, status };

    if (row.org_id === scope.orgId) {
      if (!scope.permits({ unitPath: row.unit_path, ownerId: null }))
        throw DomainError.notFound('Social account');
      if (need.operable !== 'agency') assertOperable(status, need);
      return { ...base, via: 'owner', agencyOrgId: null, authorizedScopes: [] };
    }

    if (!row.authorizations?.length) throw DomainError.notFound('Social account');
    const authorizedScopes = [...new Set(row.authorizations.flatMap((a) => a.scopes))];
    const assigned = (row.assignments ?? []).some((a) =>
      scope.permits({ unitPath: a.unitPath, ownerId: a.memberId }),
    );
    if (!assigned && (need.assigned ?? true)) {
      throw new DomainError(
        ErrorCode.AccountNotAssigned,
        'This account is not assigned to you or to a unit your permission covers',
      );
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
      `(${alias}.archived_at IS NULL AND (EXISTS ${owned.getQuery()} OR (EXISTS ${authorized.getQuery()} AND EXISTS ${assigned.getQuery()})))`,
    );
  }
}

function assertOperable(status: AccountStatus, need: AccessNeed) {
  if ((need.operable ?? true) !== false && status !== 'active') {
    throw new DomainError(ErrorCode.SocialAccountUnavailable, `The account is ${status}`, {
      extensions: { accountStatus: status },
    });
  }
}
