import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, parseSort, SortKey } from '../../platform/http/pagination';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { organizationOwnerIds, unitPathOf } from '../access/org-lookups';
import { SocialAccountAccess } from './account-access.service';
import {
  CreateSocialAccountDto,
  ListSocialAccountsQueryDto,
  SocialAccountDto,
  SuspendSocialAccountDto,
  UpdateSocialAccountDto,
} from './social-account.dto';
import { AccountStatus, AuthorizationScope, effectiveStatus, SocialPlatform } from './social-account.types';
import { UsageRecordsService } from './usage-records/usage-records.service';
import { containsPattern } from '../../platform/database/like';

const SORT_KEYS: Record<string, SortKey> = {
  createdAt: { column: 'a.created_at', kind: 'timestamp' },
  handle: { column: 'a.handle', kind: 'text' },
};

interface AccountRow {
  id: string;
  org_id: string;
  unit_id: string;
  platform: SocialPlatform;
  handle: string;
  display_name: string;
  external_user_id: string;
  status: AccountStatus;
  status_reason: string | null;
  suspended_until: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  authorized_scopes: AuthorizationScope[] | null;
}

const SELECT_COLUMNS = [
  'a.id AS id',
  'a.org_id AS org_id',
  'a.unit_id AS unit_id',
  'a.platform AS platform',
  'a.handle AS handle',
  'a.display_name AS display_name',
  'a.external_user_id AS external_user_id',
  'a.status AS status',
  'a.status_reason AS status_reason',
  'a.suspended_until AS suspended_until',
  'a.created_at AS created_at',
  'a.updated_at AS updated_at',
  'a.version AS version',
];

/** The scopes of an organization's active authorizations for account `a`, as one SQL expression. */
const AUTHORIZED_SCOPES_SQL = `(SELECT array_agg(DISTINCT sc ORDER BY sc)
   FROM account_authorization_accounts za
   JOIN account_authorizations z ON z.id = za.authorization_id, unnest(z.scopes) AS sc
  WHERE za.account_id = a.id AND z.agency_org_id = :viewerOrg AND z.brand_org_id = a.org_id
    AND z.status = 'active' AND z.valid_from <= :now AND z.valid_until > :now)`;

/**
 * Social accounts owned by brands. The brand creates, edits, freezes and archives them; agencies see
 * the ones authorized and assigned to them; platform staff suspend them. Every change is a usage record.
 */
@Injectable()
export class SocialAccountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly access: SocialAccountAccess,
    private readonly usage: UsageRecordsService,
    private readonly notifications: NotificationsService,
  ) {}

  async list(scope: DataScope, query: ListSocialAccountsQueryDto): Promise<Page<SocialAccountDto>> {
    const now = this.clock.now();
    const qb = this.accountsQuery(this.dataSource.manager, scope.orgId, now);
    this.access.applyVisibility(qb, scope, 'a');
    if (query.platform) qb.andWhere('a.platform = :platform', { platform: query.platform });
    if (query.unitId) qb.andWhere('a.unit_id = :unitId AND a.org_id = :viewerOrg', { unitId: query.unitId });
    if (query.ownership === 'owned') qb.andWhere('a.org_id = :viewerOrg');
    if (query.ownership === 'authorized') qb.andWhere('a.org_id <> :viewerOrg');
    if (query.status === 'active') {
      qb.andWhere(`(a.status = 'active' OR (a.status = 'suspended' AND a.suspended_until <= :now))`);
    } else if (query.status === 'suspended') {
      qb.andWhere(`a.status = 'suspended' AND (a.suspended_until IS NULL OR a.suspended_until > :now)`);
    } else if (query.status) {
      qb.andWhere('a.status = :status', { status: query.status });
    }
    if (query.q) {
      qb.andWhere(`(a.handle ILIKE :q ESCAPE '\\' OR a.display_name ILIKE :q ESCAPE '\\')`, {
        q: containsPattern(query.q),
      });
    }
    const sort = parseSort(query.sort, SORT_KEYS, '-createdAt');
    return paginate(qb, {
      query,
      sort,
      idColumn: 'a.id',
      fetch: (q) => q.getRawMany<AccountRow>(),
      sortValue: (row) => (sort.key === SORT_KEYS.handle ? row.handle : row.created_at),
      idValue: (row) => row.id,
      map: (row) => this.toDto(row, scope.orgId, now),
    });
  }

  async get(scope: DataScope, accountId: string): Promise<Versioned<SocialAccountDto>> {
    await this.access.require(scope, accountId, { operable: false });
    const row = await this.load(this.dataSource.manager, accountId, scope.orgId);
    return new Versioned(this.toDto(row, scope.orgId, this.clock.now()), row.version);
  }

  async create(
    actor: Actor,
    scope: DataScope,
    dto: CreateSocialAccountDto,
  ): Promise<Versioned<SocialAccountDto>> {
    if (actor.orgKind !== 'brand') {
      throw new DomainError(ErrorCode.Unprocessable, 'Only brand organizations own social accounts');
    }
    return this.dataSource.transaction(async (manager) => {
      const unitPath = await unitPathOf(manager, scope.orgId, dto.unitId, 'unitId');
      if (!scope.permits({ unitPath, ownerId: null })) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your social-accounts:manage scope does not cover that unit',
        );
      }
      const taken: unknown[] = await manager.query(
        `SELECT 1 FROM social_accounts WHERE platform = $1 AND external_user_id = $2 AND archived_at IS NULL`,
        [dto.platform, dto.externalUserId],
      );
      if (taken.length > 0) {
        throw new DomainError(ErrorCode.Duplicate, 'That platform account is already registered', {
          errors: [{ field: 'externalUserId', message: 'already registered for this platform' }],
        });
      }
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO social_accounts (org_id, unit_id, platform, handle, display_name, external_user_id, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
        [
          scope.orgId,
          dto.unitId,
          dto.platform,
          dto.handle,
          dto.displayName,
          dto.externalUserId,
          actor.userId,
          this.clock.now(),
        ],
      );
      await this.record(manager, actor, id, scope.orgId, 'account.created', {
        platform: dto.platform,
        handle: dto.handle,
        externalUserId: dto.externalUserId,
      });
      const row = await this.load(manager, id, scope.orgId);
      return new Versioned(this.toDto(row, scope.orgId, this.clock.now()), row.version);
    });
  }

  async update(
    actor: Actor,
    scope: DataScope,
    accountId: string,
    dto: UpdateSocialAccountDto,
    ifMatch?: string,
  ): Promise<Versioned<SocialAccountDto>> {
    return this.dataSource.transaction(async (manager) => {
      const access = await this.access.require(scope, accountId, { operable: false }, manager);
      if (access.via !== 'owner') throw onlyTheOwner();
      const before = await this.load(manager, accountId, scope.orgId, { lock: true });
      assertIfMatch(ifMatch, before.version);
      if (dto.unitId && dto.unitId !== before.unit_id) {
        const target = await unitPathOf(manager, scope.orgId, dto.unitId, 'unitId');
        if (!scope.permits({ unitPath: target, ownerId: null })) {
          throw new DomainError(
            ErrorCode.PermissionDenied,
            'Your social-accounts:manage scope does not cover that unit',
          );
        }
      }
      const now = this.clock.now();
      const statusChange = this.statusChange(before, dto, now);
      const next = {
        handle: dto.handle ?? before.handle,
        displayName: dto.displayName ?? before.display_name,
        unitId: dto.unitId ?? before.unit_id,
      };
      await manager.query(
        `UPDATE social_accounts SET handle = $2, display_name = $3, unit_id = $4, status = $5, status_reason = $6,
           suspended_until = $7, updated_at = $8, version = version + 1
         WHERE id = $1`,
        [
          accountId,
          next.handle,
          next.displayName,
          next.unitId,
          statusChange?.status ?? before.status,
          statusChange ? statusChange.reason : before.status_reason,
          statusChange ? null : before.suspended_until,
          now,
        ],
      );
      const changed = Object.entries({
        handle: [before.handle, next.handle],
        displayName: [before.display_name, next.displayName],
        unitId: [before.unit_id, next.unitId],
      }).filter(([, [a, b]]) => a !== b);
      if (changed.length > 0) {
        await this.record(manager, actor, accountId, scope.orgId, 'account.updated', {
          changes: Object.fromEntries(changed.map(([field, [from, to]]) => [field, { from, to }])),
        });
      }
      if (statusChange) {
        await this.record(manager, actor, accountId, scope.orgId, 'account.status_changed', {
          from: effectiveStatus(before.status, before.suspended_until, now),
          to: statusChange.status,
          reason: statusChange.reason,
        });
        await this.tellAgencies(manager, accountId, next.handle, statusChange.status, statusChange.reason);
      }
      const row = await this.load(manager, accountId, scope.orgId);
      return new Versioned(this.toDto(row, scope.orgId, now), row.version);
    });
  }

  /** Archiving keeps the row (usage records point at it) but ends every use of the account. */
  async archive(actor: Actor, scope: DataScope, accountId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const access = await this.access.require(scope, accountId, { operable: false }, manager);
      if (access.via !== 'owner') throw onlyTheOwner();
      const row = await this.load(manager, accountId, scope.orgId, { lock: true });
      await this.tellAgencies(manager, accountId, row.handle, 'archived', null);
      await manager.query(
        `UPDATE social_accounts SET archived_at = $2, updated_at = $2, version = version + 1 WHERE id = $1`,
        [accountId, this.clock.now()],
      );
      await this.record(manager, actor, accountId, scope.orgId, 'account.archived', { handle: row.handle });
    });
  }

  /** Platform staff suspend an account of any brand; the brand and its agencies are told why. */
  async suspend(actor: Actor, accountId: string, dto: SuspendSocialAccountDto): Promise<SocialAccountDto> {
    const now = this.clock.now();
    const until = dto.until ? new Date(dto.until) : null;
    if (until && until.getTime() <= now.getTime())
      throw DomainError.validation('until', 'must be in the future');
    return this.dataSource.transaction(async (manager) => {
      const row = await this.loadAny(manager, accountId);
      await manager.query(
        `UPDATE social_accounts SET status = 'suspended', status_reason = $2, suspended_until = $3, updated_at = $4,
           version = version + 1 WHERE id = $1`,
        [accountId, dto.reason, until, now],
      );
      await this.record(manager, actor, accountId, row.org_id, 'account.status_changed', {
        from: effectiveStatus(row.status, row.suspended_until, now),
        to: 'suspended',
        reason: dto.reason,
        until: until?.toISOString() ?? null,
      });
      await this.notifications.notify(manager, {
        userIds: await organizationOwnerIds(manager, row.org_id),
        orgId: row.org_id,
        type: 'social_account.suspended',
        title: `The platform suspended ${row.handle}`,
        body: `Reason: ${dto.reason}${until ? `. Until ${until.toISOString()}` : ''}`,
        data: { accountId },
      });
      await this.tellAgencies(manager, accountId, row.handle, 'suspended', dto.reason);
      return this.toDto(await this.load(manager, accountId, row.org_id), row.org_id, now);
    });
  }

  async liftSuspension(actor: Actor, accountId: string): Promise<SocialAccountDto> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const row = await this.loadAny(manager, accountId);
      if (effectiveStatus(row.status, row.suspended_until, now) !== 'suspended') {
        throw new DomainError(ErrorCode.InvalidState, 'The account is not suspended', {
          extensions: { currentState: row.status },
        });
      }
      await manager.query(
        `UPDATE social_accounts SET status = 'active', status_reason = NULL, suspended_until = NULL, updated_at = $2,
           version = version + 1 WHERE id = $1`,
        [accountId, now],
      );
      await this.record(manager, actor, accountId, row.org_id, 'account.status_changed', {
        from: 'suspended',
        to: 'active',
        reason: null,
      });
      return this.toDto(await this.load(manager, accountId, row.org_id), row.org_id, now);
    });
  }

  /** Freezing needs a reason; a suspension is the platform's and the brand can neither set nor lift it. */
  private statusChange(before: AccountRow, dto: UpdateSocialAccountDto, now: Date) {
    if (!dto.status) return null;
    const current = effectiveStatus(before.status, before.suspended_until, now);
    if (current === 'suspended') {
      throw new DomainError(
        ErrorCode.InvalidState,
        'The platform suspended this account; only it can lift that',
        {
          extensions: { currentState: current },
        },
      );
    }
    if (dto.status === current) return null;
    return { status: dto.status, reason: dto.status === 'frozen' ? (dto.statusReason ?? null) : null };
  }

  private async tellAgencies(
    manager: EntityManager,
    accountId: string,
    handle: string,
    status: string,
    reason: string | null,
  ) {
    const agencies: { agency_org_id: string }[] = await manager.query(
      `SELECT DISTINCT z.agency_org_id FROM account_authorizations z
         JOIN account_authorization_accounts za ON za.authorization_id = z.id
        WHERE za.account_id = $1 AND z.status IN ('offered', 'active') AND z.valid_until > $2`,
      [accountId, this.clock.now()],
    );
    for (const { agency_org_id: agencyId } of agencies) {
      await this.notifications.notify(manager, {
        userIds: await organizationOwnerIds(manager, agencyId),
        orgId: agencyId,
        type: 'social_account.status_changed',
        title: `Account ${handle} is now ${status}`,
        body: reason ? `Reason: ${reason}` : 'It can be operated again.',
        data: { accountId, status },
      });
    }
  }

  private async record(
    manager: EntityManager,
    actor: Actor,
    accountId: string,
    brandOrgId: string,
    action: 'account.created' | 'account.updated' | 'account.status_changed' | 'account.archived',
    details: Record<string, unknown>,
  ) {
    await this.usage.append(manager, {
      accountId,
      brandOrgId,
      action,
      actor,
      actorOrgId: actor.orgId,
      agencyOrgId: null,
      details: JSON.parse(JSON.stringify(details)),
    });
  }

  /** Accounts with the viewing organization's authorized scopes: one query shape for lists and reads. */
  private accountsQuery(manager: EntityManager, viewerOrgId: string, now: Date) {
    return manager
      .createQueryBuilder()
      .select(SELECT_COLUMNS)
      .addSelect(AUTHORIZED_SCOPES_SQL, 'authorized_scopes')
      .from('social_accounts', 'a')
      .setParameters({ viewerOrg: viewerOrgId, now });
  }

  private async load(
    manager: EntityManager,
    accountId: string,
    viewerOrgId: string,
    options: { lock?: boolean } = {},
  ): Promise<AccountRow> {
    if (options.lock) {
      await manager.query(`SELECT 1 FROM social_accounts WHERE id = $1 FOR UPDATE`, [accountId]);
    }
    const row = await this.accountsQuery(manager, viewerOrgId, this.clock.now())
      .where('a.id = :accountId AND a.archived_at IS NULL', { accountId })
      .getRawOne<AccountRow>();
    if (!row) throw DomainError.notFound('Social account');
    return row;
  }

  private async loadAny(manager: EntityManager, accountId: string): Promise<AccountRow> {
    const rows: { org_id: string }[] = await manager.query(
      `SELECT org_id FROM social_accounts WHERE id = $1 AND archived_at IS NULL FOR UPDATE`,
      [accountId],
    );
    if (!rows[0]) throw DomainError.notFound('Social account');
    return this.load(manager, accountId, rows[0].org_id);
  }

  private toDto(row: AccountRow, viewerOrgId: string, now: Date): SocialAccountDto {
    const status = effectiveStatus(row.status, row.suspended_until, now);
    return {
      id: row.id,
      orgId: row.org_id,
      unitId: row.unit_id,
      platform: row.platform,
      handle: row.handle,
      displayName: row.display_name,
      externalUserId: row.external_user_id,
      status,
      statusReason: status === 'active' ? null : row.status_reason,
      suspendedUntil: status === 'suspended' ? (row.suspended_until?.toISOString() ?? null) : null,
      ownership: row.org_id === viewerOrgId ? 'owned' : 'authorized',
      authorizedScopes: row.org_id === viewerOrgId ? [] : (row.authorized_scopes ?? []),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }
}

const onlyTheOwner = () =>
  new DomainError(ErrorCode.PermissionDenied, 'Only the brand that owns the account can change it');
