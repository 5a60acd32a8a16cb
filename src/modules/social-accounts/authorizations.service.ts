import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate } from '../../platform/http/pagination';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { organizationOwnerIds } from '../access/org-lookups';
import {
  AuthorizationDto,
  AuthorizationStatus,
  ListAuthorizationsQueryDto,
  OfferAuthorizationDto,
  RevokeAuthorizationDto,
} from './authorization.dto';
import { AuthorizationScope, SocialPlatform } from './social-account.types';
import { UsageAction } from './usage-records/usage-actions';
import { UsageRecordsService } from './usage-records/usage-records.service';

type Direction = 'granted' | 'received';

interface AuthorizationRow {
  id: string;
  brand_org_id: string;
  brand_name: string;
  agency_org_id: string;
  agency_name: string;
  scopes: AuthorizationScope[];
  valid_from: Date;
  valid_until: Date;
  status: AuthorizationStatus;
  note: string | null;
  offered_by: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
  created_at: Date;
}

interface AccountSummaryRow {
  authorization_id: string;
  id: string;
  platform: SocialPlatform;
  handle: string;
  display_name: string;
  unit_path: string;
}

/** Offered and active authorizations stop counting the moment their end passes, job or no job. */
export const effectiveAuthorizationStatus = (
  status: AuthorizationStatus,
  validUntil: Date,
  now: Date,
): AuthorizationStatus =>
  (status === 'offered' || status === 'active') && validUntil.getTime() <= now.getTime() ? 'expired' : status;

/**
 * Brand → agency authorizations: the brand offers access to accounts with scopes and a validity window,
 * the agency accepts or declines, the brand revokes at any time. The access rule reads them on every
 * request, so each transition takes effect on the next one. Each transition is a usage record on every
 * account it covers, readable by both sides.
 */
@Injectable()
export class AuthorizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly usage: UsageRecordsService,
    private readonly notifications: NotificationsService,
  ) {}

  async offer(actor: Actor, scope: DataScope, dto: OfferAuthorizationDto): Promise<AuthorizationDto> {
    if (actor.orgKind !== 'brand') {
      throw new DomainError(ErrorCode.Unprocessable, 'Only a brand offers authorizations over its accounts');
    }
    const now = this.clock.now();
    const validFrom = dto.validFrom ? new Date(dto.validFrom) : now;
    const validUntil = new Date(dto.validUntil);
    if (validUntil.getTime() <= validFrom.getTime()) {
      throw DomainError.validation('validUntil', 'must be after validFrom');
    }
    if (validUntil.getTime() <= now.getTime())
      throw DomainError.validation('validUntil', 'must be in the future');

    return this.dataSource.transaction(async (manager) => {
      const agencies: { kind: string }[] = await manager.query(
        `SELECT kind FROM organizations WHERE id = $1`,
        [dto.agencyOrgId],
      );
      if (agencies[0]?.kind !== 'agency') {
        throw new DomainError(ErrorCode.ReferenceNotFound, 'No such agency', {
          errors: [{ field: 'agencyOrgId', message: 'not an agency organization' }],
        });
      }
      const accounts: { id: string; unit_path: string }[] = await manager.query(
        `SELECT a.id, u.path::text AS unit_path FROM social_accounts a JOIN org_units u ON u.id = a.unit_id
         WHERE a.id = ANY($1::uuid[]) AND a.org_id = $2 AND a.archived_at IS NULL`,
        [dto.accountIds, scope.orgId],
      );
      if (accounts.length !== dto.accountIds.length) {
        throw new DomainError(ErrorCode.ReferenceNotFound, 'Some accounts are not accounts of this brand', {
          errors: [{ field: 'accountIds', message: 'every account must belong to this organization' }],
        });
      }
      if (!accounts.every((a) => scope.permits({ unitPath: a.unit_path, ownerId: null }))) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your authorizations:manage scope does not cover every account offered',
        );
      }
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO account_authorizations
           (brand_org_id, agency_org_id, scopes, valid_from, valid_until, note, offered_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
        [
          scope.orgId,
          dto.agencyOrgId,
          dto.scopes,
          validFrom,
          validUntil,
          dto.note ?? null,
          actor.userId,
          now,
        ],
      );
      await manager.query(
        `INSERT INTO account_authorization_accounts (authorization_id, account_id) SELECT $1, unnest($2::uuid[])`,
        [id, dto.accountIds],
      );
      const authorization = await this.loadOne(manager, id);
      await this.recordOnAccounts(manager, actor, authorization, 'authorization.offered', {
        scopes: dto.scopes,
        validFrom: validFrom.toISOString(),
        validUntil: validUntil.toISOString(),
      });
      await this.tell(manager, authorization.agencyOrgId, {
        type: 'social_account.authorization_offered',
        title: `${authorization.brandName} offers access to ${authorization.accounts.length} account(s)`,
        body: `Scopes: ${dto.scopes.join(', ')}. Accept or decline it from your received authorizations.`,
        authorizationId: id,
      });
      return authorization;
    });
  }

  async list(
    actor: Actor,
    scope: DataScope,
    query: ListAuthorizationsQueryDto,
  ): Promise<Page<AuthorizationDto>> {
    const direction = query.direction ?? (actor.orgKind === 'agency' ? 'received' : 'granted');
    const now = this.clock.now();
    const qb = this.baseQuery(this.dataSource.manager).setParameter('now', now);
    this.applyVisibility(qb, scope, direction);
    if (query.status === 'expired') {
      qb.andWhere(`(z.status = 'expired' OR (z.status IN ('offered', 'active') AND z.valid_until <= :now))`);
    } else if (query.status === 'offered' || query.status === 'active') {
      qb.andWhere('z.status = :status AND z.valid_until > :now', { status: query.status });
    } else if (query.status) {
      qb.andWhere('z.status = :status', { status: query.status });
    }
    if (query.accountId) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM account_authorization_accounts fa WHERE fa.authorization_id = z.id AND fa.account_id = :accountId)',
        { accountId: query.accountId },
      );
    }
    if (query.counterpartOrgId) {
      qb.andWhere(direction === 'granted' ? 'z.agency_org_id = :cp' : 'z.brand_org_id = :cp', {
        cp: query.counterpartOrgId,
      });
    }
    const page = await paginate(qb, {
      query,
      sort: { key: { column: 'z.created_at', kind: 'timestamp' }, direction: 'DESC' },
      idColumn: 'z.id',
      fetch: (q) => q.getRawMany<AuthorizationRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: (row) => row,
    });
    return {
      items: await this.withAccounts(this.dataSource.manager, page.items, now),
      nextCursor: page.nextCursor,
    };
  }

  async get(actor: Actor, scope: DataScope, id: string): Promise<AuthorizationDto> {
    const direction: Direction = actor.orgKind === 'agency' ? 'received' : 'granted';
    const qb = this.baseQuery(this.dataSource.manager).andWhere('z.id = :id', { id });
    this.applyVisibility(qb, scope, direction);
    const row = await qb.getRawOne<AuthorizationRow>();
    if (!row) throw DomainError.notFound('Authorization');
    const [dto] = await this.withAccounts(this.dataSource.manager, [row], this.clock.now());
    return dto;
  }

  /**
   * Accepting or declining binds the whole agency, so it needs `authorizations:manage` at organization
   * scope (or is refused with 403).
   */
  async decide(
    actor: Actor,
    scope: DataScope,
    id: string,
    decision: 'accept' | 'decline',
  ): Promise<AuthorizationDto> {
    if (!scope.permits({ unitPath: null, ownerId: null })) {
      throw new DomainError(
        ErrorCode.PermissionDenied,
        'Accepting or declining an authorization needs authorizations:manage for the whole organization',
      );
    }
    return this.dataSource.transaction(async (manager) => {
      const row = await this.lock(manager, id, 'agency_org_id', scope.orgId);
      this.assertStatus(row, ['offered']);
      const now = this.clock.now();
      await manager.query(
        `UPDATE account_authorizations SET status = $2, decided_by = $3, decided_at = $4, updated_at = $4,
           version = version + 1 WHERE id = $1`,
        [id, decision === 'accept' ? 'active' : 'declined', actor.userId, now],
      );
      const authorization = await this.loadOne(manager, id);
      await this.recordOnAccounts(
        manager,
        actor,
        authorization,
        decision === 'accept' ? 'authorization.accepted' : 'authorization.declined',
        { scopes: authorization.scopes },
      );
      await this.tell(manager, authorization.brandOrgId, {
        type: `social_account.authorization_${decision === 'accept' ? 'accepted' : 'declined'}`,
        title: `${authorization.agencyName} ${decision === 'accept' ? 'accepted' : 'declined'} your authorization`,
        body: `Accounts: ${authorization.accounts.map((a) => a.handle).join(', ')}`,
        authorizationId: id,
      });
      return authorization;
    });
  }

  /** Revoking works at once: the agency's next request is refused. */
  async revoke(
    actor: Actor,
    scope: DataScope,
    id: string,
    dto: RevokeAuthorizationDto,
  ): Promise<AuthorizationDto> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.lock(manager, id, 'brand_org_id', scope.orgId);
      const current = await this.loadOne(manager, id);
      const paths = await this.accountPaths(manager, id);
      if (!paths.every((unitPath) => scope.permits({ unitPath, ownerId: row.offered_by }))) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your authorizations:manage scope does not cover every account of this authorization',
        );
      }
      this.assertStatus(row, ['offered', 'active']);
      const now = this.clock.now();
      await manager.query(
        `UPDATE account_authorizations SET status = 'revoked', revoked_by = $2, revoked_at = $3, revoke_reason = $4,
           updated_at = $3, version = version + 1 WHERE id = $1`,
        [id, actor.userId, now, dto.reason ?? null],
      );
      const authorization = await this.loadOne(manager, id);
      await this.recordOnAccounts(manager, actor, authorization, 'authorization.revoked', {
        previousStatus: current.status,
        reason: dto.reason ?? null,
      });
      await this.tell(manager, authorization.agencyOrgId, {
        type: 'social_account.authorization_revoked',
        title: `${authorization.brandName} revoked your access to ${authorization.accounts.length} account(s)`,
        body: dto.reason ? `Reason: ${dto.reason}` : 'Access ended immediately.',
        authorizationId: id,
      });
      return authorization;
    });
  }

  /** The brand side sees an authorization when its accounts lie in the caller's scope (or they offered it). */
  private applyVisibility(qb: SelectQueryBuilder<object>, scope: DataScope, direction: Direction) {
    if (direction === 'received') {
      scope.apply(qb, { org: 'z.agency_org_id', owner: 'z.decided_by' });
      return;
    }
    const inScope = qb
      .subQuery()
      .select('1')
      .from('account_authorization_accounts', 'va')
      .innerJoin('social_accounts', 'vs', 'vs.id = va.account_id')
      .where('va.authorization_id = z.id');
    scope.apply(inScope, { org: 'vs.org_id', unit: 'vs.unit_id', owner: 'z.offered_by' });
    qb.andWhere('z.brand_org_id = :visBrand', { visBrand: scope.orgId }).andWhere(
      `EXISTS ${inScope.getQuery()}`,
    );
  }

  private baseQuery(manager: EntityManager) {
    return manager
      .createQueryBuilder()
      .select([
        'z.id AS id',
        'z.brand_org_id AS brand_org_id',
        'b.name AS brand_name',
        'z.agency_org_id AS agency_org_id',
        'g.name AS agency_name',
        'z.scopes AS scopes',
        'z.valid_from AS valid_from',
        'z.valid_until AS valid_until',
        'z.status AS status',
        'z.note AS note',
        'z.offered_by AS offered_by',
        'z.decided_by AS decided_by',
        'z.decided_at AS decided_at',
        'z.revoked_at AS revoked_at',
        'z.revoke_reason AS revoke_reason',
        'z.created_at AS created_at',
      ])
      .from('account_authorizations', 'z')
      .innerJoin('organizations', 'b', 'b.id = z.brand_org_id')
      .innerJoin('organizations', 'g', 'g.id = z.agency_org_id');
  }

  async loadOne(manager: EntityManager, id: string): Promise<AuthorizationDto> {
    const row = await this.baseQuery(manager).where('z.id = :id', { id }).getRawOne<AuthorizationRow>();
    if (!row) throw DomainError.notFound('Authorization');
    const [dto] = await this.withAccounts(manager, [row], this.clock.now());
    return dto;
  }

  private async lock(manager: EntityManager, id: string, sideColumn: string, orgId: string) {
    const rows: { status: AuthorizationStatus; valid_until: Date; offered_by: string | null }[] =
      await manager.query(
        `SELECT status, valid_until, offered_by FROM account_authorizations WHERE id = $1 AND ${sideColumn} = $2 FOR UPDATE`,
        [id, orgId],
      );
    if (!rows[0]) throw DomainError.notFound('Authorization');
    return rows[0];
  }

  private assertStatus(
    row: { status: AuthorizationStatus; valid_until: Date },
    allowed: AuthorizationStatus[],
  ) {
    const current = effectiveAuthorizationStatus(row.status, row.valid_until, this.clock.now());
    if (!allowed.includes(current)) {
      throw new DomainError(ErrorCode.InvalidState, `The authorization is ${current}`, {
        extensions: { currentState: current },
      });
    }
  }

  private async accountPaths(manager: EntityManager, id: string): Promise<string[]> {
    const rows: { path: string }[] = await manager.query(
      `SELECT u.path::text AS path FROM account_authorization_accounts za
         JOIN social_accounts a ON a.id = za.account_id JOIN org_units u ON u.id = a.unit_id
        WHERE za.authorization_id = $1`,
      [id],
    );
    return rows.map((r) => r.path);
  }

  private async withAccounts(
    manager: EntityManager,
    rows: AuthorizationRow[],
    now: Date,
  ): Promise<AuthorizationDto[]> {
    if (rows.length === 0) return [];
    const accounts: AccountSummaryRow[] = await manager.query(
      `SELECT za.authorization_id, a.id, a.platform, a.handle, a.display_name, u.path::text AS unit_path
         FROM account_authorization_accounts za
         JOIN social_accounts a ON a.id = za.account_id JOIN org_units u ON u.id = a.unit_id
        WHERE za.authorization_id = ANY($1::uuid[]) ORDER BY a.handle, a.id`,
      [rows.map((r) => r.id)],
    );
    return rows.map((row) => ({
      id: row.id,
      brandOrgId: row.brand_org_id,
      brandName: row.brand_name,
      agencyOrgId: row.agency_org_id,
      agencyName: row.agency_name,
      accounts: accounts
        .filter((a) => a.authorization_id === row.id)
        .map((a) => ({ id: a.id, platform: a.platform, handle: a.handle, displayName: a.display_name })),
      scopes: row.scopes,
      validFrom: row.valid_from.toISOString(),
      validUntil: row.valid_until.toISOString(),
      status: effectiveAuthorizationStatus(row.status, row.valid_until, now),
      note: row.note,
      offeredBy: row.offered_by,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at?.toISOString() ?? null,
      revokedAt: row.revoked_at?.toISOString() ?? null,
      revokeReason: row.revoke_reason,
      createdAt: row.created_at.toISOString(),
    }));
  }

  /** One usage record per account covered, visible to the brand and to the agency concerned. */
  async recordOnAccounts(
    manager: EntityManager,
    actor: Actor | null,
    authorization: AuthorizationDto,
    action: UsageAction,
    details: Record<string, string | string[] | null>,
  ) {
    for (const account of authorization.accounts) {
      await this.usage.append(manager, {
        accountId: account.id,
        brandOrgId: authorization.brandOrgId,
        action,
        actor,
        actorOrgId: actor?.orgId ?? null,
        agencyOrgId: authorization.agencyOrgId,
        details: { authorizationId: authorization.id, ...details },
      });
    }
  }

  async tell(
    manager: EntityManager,
    orgId: string,
    message: { type: string; title: string; body: string; authorizationId: string },
  ) {
    await this.notifications.notify(manager, {
      userIds: await organizationOwnerIds(manager, orgId),
      orgId,
      type: message.type,
      title: message.title,
      body: message.body,
      data: { authorizationId: message.authorizationId },
    });
  }
}
