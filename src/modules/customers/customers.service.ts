import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { OperationLogsService } from '../../platform/audit/operation-logs.service';
import { containsPattern } from '../../platform/database/like';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, parseSort, SortKey } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { EventStore } from '../analytics/event-store';
import { unitPathOf } from '../access/org-lookups';
import { CONTACT_KINDS, ContactKind, normaliseContact, presentContact } from './contact-points';
import { recordCustomerEvent } from './customer-events';
import { CustomerHistory } from './customer-history';
import { assertContactValuesFree, lockContactValues } from './customer-store';
import {
  ContactPointDto,
  ContactPointInputDto,
  CreateCustomerDto,
  CustomerDto,
  CustomerHistoryEntryDto,
  CustomerHistoryQueryDto,
  ListCustomersQueryDto,
  UpdateCustomerDto,
} from './customer.dto';
import { CustomerKind, CustomerStatus, MAX_MERGE_HOPS } from './customer.types';
import { SegmentsService } from './segments.service';

export interface CustomerRow {
  id: string;
  org_id: string;
  unit_id: string | null;
  unit_path: string | null;
  owner_id: string | null;
  kind: CustomerKind;
  display_name: string;
  company_name: string | null;
  tier: string;
  tags: string[];
  consent_marketing: boolean;
  consent_data_processing: boolean;
  lifetime_value_fen: string;
  status: CustomerStatus;
  merged_into: string | null;
  last_contact_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

interface ContactPointRow {
  id: string;
  customer_id: string;
  kind: ContactKind;
  value: string;
  is_primary: boolean;
}

const SELECT_COLUMNS = [
  'c.id AS id',
  'c.org_id AS org_id',
  'c.unit_id AS unit_id',
  'u.path::text AS unit_path',
  'c.owner_id AS owner_id',
  'c.kind AS kind',
  'c.display_name AS display_name',
  'c.company_name AS company_name',
  'c.tier AS tier',
  'c.tags AS tags',
  'c.consent_marketing AS consent_marketing',
  'c.consent_data_processing AS consent_data_processing',
  'c.lifetime_value_fen AS lifetime_value_fen',
  'c.status AS status',
  'c.merged_into AS merged_into',
  'c.last_contact_at AS last_contact_at',
  'c.created_at AS created_at',
  'c.updated_at AS updated_at',
  'c.version AS version',
];

const SORT_KEYS: Record<string, SortKey> = {
  createdAt: { column: 'c.created_at', kind: 'timestamp', milliseconds: true },
  displayName: { column: 'c.display_name', kind: 'text' },
};

/** The route an unmasked read is recorded under in the operation log (GETs are not recorded otherwise). */
const UNMASKED_READ_ROUTE = '/api/v1/orgs/:orgId/customers/:customerId';
const UNMASKED_LIST_ROUTE = '/api/v1/orgs/:orgId/customers';

/** How an unmasked list read is recorded: the operation, its route pattern and the path requested. */
export interface UnmaskedListRead {
  action: string;
  route: string;
  path: string;
}

/**
 * Customer profiles: create, read (masked unless read-pii is held and asked for), edit, archive,
 * contact points and merging two profiles. Data scope is the profile's unit and owner.
 */
@Injectable()
export class CustomersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly operationLogs: OperationLogsService,
    private readonly segments: SegmentsService,
    private readonly history: CustomerHistory,
    private readonly events: EventStore,
  ) {}

  /**
   * A page of profiles in the caller's scope. With `unmasked`, the rows also within the caller's
   * `customers:read-pii` scope come in clear (403 when that scope is empty) and each of them is recorded
   * in the operation log under `readAs` — only after the page's statement succeeded: that statement
   * carries a deferred access check (pureRead) and raises before returning any row when the cached
   * grants went stale, so the rerun that follows records once and the failed run recorded nothing.
   */
  async list(
    actor: Actor,
    scope: DataScope,
    query: Omit<ListCustomersQueryDto, 'unmasked'>,
    options: { unmasked: boolean; readAs?: UnmaskedListRead } = { unmasked: false },
  ): Promise<Page<CustomerDto>> {
    const pii = options.unmasked
      ? new DataScope(scope.orgId, 'customers:read-pii', actor.userId, actor.grants)
      : null;
    if (pii?.isEmpty) {
      throw new DomainError(
        ErrorCode.PermissionDenied,
        'Listing phones and emails unmasked needs customers:read-pii',
      );
    }
    const qb = this.customersQuery(this.dataSource.manager).andWhere(`c.status = 'active'`);
    scope.apply(qb, { org: 'c.org_id', unit: 'c.unit_id', owner: 'c.owner_id' });
    if (query.tier) qb.andWhere('c.tier = :tier', { tier: query.tier });
    if (query.tag) qb.andWhere(':tag = ANY(c.tags)', { tag: query.tag });
    if (query.unitId) qb.andWhere('c.unit_id = :unitId', { unitId: query.unitId });
    if (query.ownerId) {
      const ownerId = query.ownerId === 'me' ? actor.userId : query.ownerId;
      if (!ownerId) throw DomainError.validation('ownerId', '"me" needs a signed-in user');
      qb.andWhere('c.owner_id = :ownerId', { ownerId });
    }
    if (query.segment) {
      const rule = await this.segments.predicate(scope.orgId, query.segment, 'c', 'segment');
      qb.andWhere(rule.sql, rule.params);
    }
    if (query.q) {
      const exact = [query.q, normaliseContact('phone', query.q), normaliseContact('email', query.q)].filter(
        (v): v is string => v !== null,
      );
      qb.andWhere(
        `(c.display_name ILIKE :q ESCAPE '\\' OR c.company_name ILIKE :q ESCAPE '\\' OR EXISTS (
           SELECT 1 FROM customer_contact_points qp WHERE qp.org_id = c.org_id AND qp.customer_id = c.id
              AND qp.retired_at IS NULL AND qp.value = ANY(CAST(:qExact AS text[]))))`,
        { q: containsPattern(query.q), qExact: exact },
      );
    }
    const sort = parseSort(query.sort, SORT_KEYS, '-createdAt');
    const page = await paginate(qb, {
      query,
      sort,
      idColumn: 'c.id',
      fetch: (q) => q.getRawMany<CustomerRow>(),
      sortValue: (row) => (sort.key === SORT_KEYS.displayName ? row.display_name : row.created_at),
      idValue: (row) => row.id,
      map: (row) => row,
    });
    const points = await this.contactPoints(
      this.dataSource.manager,
      scope.orgId,
      page.items.map((r) => r.id),
    );
    const purchases = await this.purchasesOf(scope.orgId, points);
    const clear = page.items.filter(
      (row) => pii !== null && pii.permits({ unitPath: row.unit_path, ownerId: row.owner_id }),
    );
    if (clear.length > 0) {
      const readAs = options.readAs ?? {
        action: 'listCustomersUnmasked',
        route: UNMASKED_LIST_ROUTE,
        path: `/api/v1/orgs/${scope.orgId}/customers`,
      };
      await this.operationLogs.recordMany(
        clear.map((row) => ({
          orgId: scope.orgId,
          actorUserId: actor.userId,
          apiKeyId: actor.apiKeyId,
          action: readAs.action,
          targetType: 'customerId',
          targetId: row.id,
          method: 'GET',
          route: readAs.route,
          path: readAs.path,
          statusCode: 200,
          result: 'success' as const,
          ip: actor.ip,
          userAgent: actor.userAgent,
          requestId: actor.requestId,
        })),
      );
    }
    const inClear = new Set(clear.map((row) => row.id));
    return {
      items: page.items.map((row) => toDto(row, points, inClear.has(row.id), purchases)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * One profile. A merged profile's id answers with the profile it was merged into (its `id` differs
   * from the one asked for). `unmasked` needs `customers:read-pii` over the profile, else 403; the
   * unmasked read is recorded in the operation log.
   */
  async get(
    actor: Actor,
    scope: DataScope,
    customerId: string,
    options: { unmasked: boolean },
  ): Promise<Versioned<CustomerDto>> {
    const row = await this.loadReadable(this.dataSource.manager, scope, customerId);
    if (options.unmasked) {
      const pii = new DataScope(scope.orgId, 'customers:read-pii', actor.userId, actor.grants);
      if (!pii.permits({ unitPath: row.unit_path, ownerId: row.owner_id })) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Reading phones and emails unmasked needs customers:read-pii over this customer',
        );
      }
      await this.operationLogs.record({
        orgId: scope.orgId,
        actorUserId: actor.userId,
        apiKeyId: actor.apiKeyId,
        action: 'readCustomerUnmasked',
        targetType: 'customerId',
        targetId: row.id,
        method: 'GET',
        route: UNMASKED_READ_ROUTE,
        path: `/api/v1/orgs/${scope.orgId}/customers/${customerId}`,
        statusCode: 200,
        result: 'success',
        ip: actor.ip,
        userAgent: actor.userAgent,
        requestId: actor.requestId,
      });
    }
    const points = await this.contactPoints(this.dataSource.manager, scope.orgId, [row.id]);
    const purchases = await this.purchasesOf(scope.orgId, points);
    return new Versioned(toDto(row, points, options.unmasked, purchases), row.version);
  }

  async create(actor: Actor, scope: DataScope, dto: CreateCustomerDto): Promise<Versioned<CustomerDto>> {
    return this.dataSource.transaction(async (manager) => {
      const unitId = dto.unitId ?? (await this.defaultUnit(manager, actor, scope.orgId));
      const unitPath = await unitPathOf(manager, scope.orgId, unitId, 'unitId');
      const ownerId = dto.ownerId === undefined ? actor.userId : dto.ownerId;
      if (ownerId) await this.assertMember(manager, scope.orgId, ownerId);
      if (!scope.permits({ unitPath, ownerId })) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your customers:manage scope does not cover that unit',
        );
      }
      const points = normaliseInputs(dto.contactPoints ?? [], 'contactPoints');
      await lockContactValues(manager, scope.orgId, points);
      await assertContactValuesFree(manager, scope.orgId, points);
      const now = this.clock.now();
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO customers (org_id, unit_id, owner_id, kind, display_name, company_name, tier, tags,
           consent_marketing, consent_data_processing, lifetime_value_fen, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
        [
          scope.orgId,
          unitId,
          ownerId,
          dto.kind,
          dto.displayName,
          dto.companyName ?? null,
          dto.tier ?? 'normal',
          uniqueTags(dto.tags ?? []),
          dto.consentMarketing ?? false,
          dto.consentDataProcessing ?? false,
          dto.lifetimeValueFen ?? 0,
          actor.userId,
          now,
        ],
      );
      for (const point of points) {
        await manager.query(
          `INSERT INTO customer_contact_points (org_id, customer_id, kind, value, is_primary, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [scope.orgId, id, point.kind, point.value, point.primary, now],
        );
      }
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: id,
        kind: 'customer.created',
        actorUserId: actor.userId,
        details: { source: 'api', displayName: dto.displayName, tier: dto.tier ?? 'normal' },
        at: now,
      });
      return this.versioned(manager, scope.orgId, id);
    });
  }

  async update(
    actor: Actor,
    scope: DataScope,
    customerId: string,
    dto: UpdateCustomerDto,
    ifMatch: string | undefined,
  ): Promise<Versioned<CustomerDto>> {
    return this.dataSource.transaction(async (manager) => {
      const before = await this.loadWritable(manager, scope, customerId);
      assertIfMatch(ifMatch, before.version);
      const next = {
        kind: dto.kind ?? before.kind,
        displayName: dto.displayName ?? before.display_name,
        companyName: dto.companyName === undefined ? before.company_name : dto.companyName,
        tier: dto.tier ?? before.tier,
        tags: dto.tags ? uniqueTags(dto.tags) : before.tags,
        unitId: dto.unitId ?? before.unit_id,
        ownerId: dto.ownerId === undefined ? before.owner_id : dto.ownerId,
        consentMarketing: dto.consentMarketing ?? before.consent_marketing,
        consentDataProcessing: dto.consentDataProcessing ?? before.consent_data_processing,
        lifetimeValueFen: dto.lifetimeValueFen ?? Number(before.lifetime_value_fen),
      };
      if (next.ownerId && next.ownerId !== before.owner_id)
        await this.assertMember(manager, scope.orgId, next.ownerId);
      if (next.unitId !== before.unit_id || next.ownerId !== before.owner_id) {
        const unitPath = next.unitId ? await unitPathOf(manager, scope.orgId, next.unitId, 'unitId') : null;
        if (!scope.permits({ unitPath, ownerId: next.ownerId })) {
          throw new DomainError(
            ErrorCode.PermissionDenied,
            'Your customers:manage scope would not cover the customer afterwards',
          );
        }
      }
      const previous: Record<string, unknown> = {
        kind: before.kind,
        displayName: before.display_name,
        companyName: before.company_name,
        tier: before.tier,
        tags: before.tags,
        unitId: before.unit_id,
        ownerId: before.owner_id,
        consentMarketing: before.consent_marketing,
        consentDataProcessing: before.consent_data_processing,
        lifetimeValueFen: Number(before.lifetime_value_fen),
      };
      const changes = Object.fromEntries(
        Object.entries(next)
          .filter(([field, value]) => JSON.stringify(previous[field]) !== JSON.stringify(value))
          .map(([field, value]) => [field, { from: previous[field], to: value }]),
      );
      if (Object.keys(changes).length === 0) return this.versioned(manager, scope.orgId, before.id);
      const now = this.clock.now();
      await manager.query(
        `UPDATE customers SET kind = $3, display_name = $4, company_name = $5, tier = $6, tags = $7, unit_id = $8,
           owner_id = $9, consent_marketing = $10, consent_data_processing = $11, lifetime_value_fen = $12,
           updated_at = $13, version = version + 1
         WHERE org_id = $1 AND id = $2`,
        [
          scope.orgId,
          before.id,
          next.kind,
          next.displayName,
          next.companyName,
          next.tier,
          next.tags,
          next.unitId,
          next.ownerId,
          next.consentMarketing,
          next.consentDataProcessing,
          next.lifetimeValueFen,
          now,
        ],
      );
      if (next.ownerId !== before.owner_id) {
        // Open care tasks follow the customer to its new owner.
        await manager.query(
          `UPDATE customer_care_tasks SET owner_id = $3, unit_id = $4 WHERE org_id = $1 AND customer_id = $2 AND status = 'open'`,
          [scope.orgId, before.id, next.ownerId, next.unitId],
        );
      }
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: before.id,
        kind: 'customer.updated',
        actorUserId: actor.userId,
        details: { changes },
        at: now,
      });
      return this.versioned(manager, scope.orgId, before.id);
    });
  }

  /** Archiving keeps the profile for its history but frees its contact points for another profile. */
  async archive(actor: Actor, scope: DataScope, customerId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.loadWritable(manager, scope, customerId);
      const now = this.clock.now();
      await manager.query(
        `UPDATE customers SET status = 'archived', archived_at = $3, updated_at = $3, version = version + 1
          WHERE org_id = $1 AND id = $2`,
        [scope.orgId, row.id, now],
      );
      await manager.query(
        `UPDATE customer_contact_points SET retired_at = $3 WHERE org_id = $1 AND customer_id = $2 AND retired_at IS NULL`,
        [scope.orgId, row.id, now],
      );
      await manager.query(
        `UPDATE customer_care_tasks SET status = 'cancelled' WHERE org_id = $1 AND customer_id = $2 AND status = 'open'`,
        [scope.orgId, row.id],
      );
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: row.id,
        kind: 'customer.archived',
        actorUserId: actor.userId,
        details: {},
        at: now,
      });
    });
  }

  async addContactPoint(
    actor: Actor,
    scope: DataScope,
    customerId: string,
    dto: ContactPointInputDto,
  ): Promise<Versioned<CustomerDto>> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.loadWritable(manager, scope, customerId);
      const [point] = normaliseInputs([dto], null);
      await lockContactValues(manager, scope.orgId, [point]);
      await assertContactValuesFree(manager, scope.orgId, [point]);
      const existing = await this.contactPoints(manager, scope.orgId, [row.id]);
      const hasPrimary = existing.some((p) => p.kind === point.kind && p.is_primary);
      const primary = dto.primary === true || !hasPrimary;
      if (primary && hasPrimary) {
        await manager.query(
          `UPDATE customer_contact_points SET is_primary = false
            WHERE org_id = $1 AND customer_id = $2 AND kind = $3 AND retired_at IS NULL`,
          [scope.orgId, row.id, point.kind],
        );
      }
      const now = this.clock.now();
      await manager.query(
        `INSERT INTO customer_contact_points (org_id, customer_id, kind, value, is_primary, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [scope.orgId, row.id, point.kind, point.value, primary, now],
      );
      await this.touch(manager, scope.orgId, row.id, now);
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: row.id,
        kind: 'customer.contact_added',
        actorUserId: actor.userId,
        details: { kind: point.kind, value: presentContact(point.kind, point.value, false), primary },
        at: now,
      });
      return this.versioned(manager, scope.orgId, row.id);
    });
  }

  /** Removing the primary point of a kind makes the oldest remaining one of that kind primary. */
  async removeContactPoint(
    actor: Actor,
    scope: DataScope,
    customerId: string,
    pointId: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.loadWritable(manager, scope, customerId);
      const points = await this.contactPoints(manager, scope.orgId, [row.id]);
      const point = points.find((p) => p.id === pointId);
      if (!point) throw DomainError.notFound('Contact point');
      const now = this.clock.now();
      await manager.query(
        `UPDATE customer_contact_points SET retired_at = $3, is_primary = false WHERE org_id = $1 AND id = $2`,
        [scope.orgId, point.id, now],
      );
      const successor = points.find((p) => p.kind === point.kind && p.id !== point.id);
      if (point.is_primary && successor) {
        await manager.query(
          `UPDATE customer_contact_points SET is_primary = true WHERE org_id = $1 AND id = $2`,
          [scope.orgId, successor.id],
        );
      }
      await this.touch(manager, scope.orgId, row.id, now);
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: row.id,
        kind: 'customer.contact_removed',
        actorUserId: actor.userId,
        details: { kind: point.kind, value: presentContact(point.kind, point.value, false) },
        at: now,
      });
    });
  }

  /**
   * Merges `sourceId` into `customerId`: contact points, tags and history move to the target (the source's
   * open care task is cancelled), lifetime values add up, the source becomes `merged` with `merged_into`, and the merge is
   * recorded in customer_merges (the operation log records the request itself).
   */
  async merge(
    actor: Actor,
    scope: DataScope,
    customerId: string,
    sourceId: string,
  ): Promise<Versioned<CustomerDto>> {
    if (customerId === sourceId) {
      throw DomainError.validation('sourceId', 'a customer cannot be merged into itself');
    }
    return this.dataSource.transaction(async (manager) => {
      // Lock both rows in id order so two opposite merges cannot deadlock.
      await manager.query(
        `SELECT 1 FROM customers WHERE org_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
        [scope.orgId, [customerId, sourceId]],
      );
      const target = await this.loadWritable(manager, scope, customerId);
      const source = await this.loadWritable(manager, scope, sourceId, 'sourceId');
      const now = this.clock.now();
      // UPDATE answers [rows, count] through TypeORM's query().
      const [moved]: [{ kind: ContactKind; is_primary: boolean }[], number] = await manager.query(
        `UPDATE customer_contact_points p SET customer_id = $2,
                is_primary = p.is_primary AND NOT EXISTS (
                  SELECT 1 FROM customer_contact_points t WHERE t.org_id = p.org_id AND t.customer_id = $2
                     AND t.kind = p.kind AND t.is_primary AND t.retired_at IS NULL)
          WHERE p.org_id = $1 AND p.customer_id = $3 AND p.retired_at IS NULL
          RETURNING p.kind, p.is_primary`,
        [scope.orgId, target.id, source.id],
      );
      const [events]: [unknown[], number] = await manager.query(
        `UPDATE customer_events SET customer_id = $2 WHERE org_id = $1 AND customer_id = $3 RETURNING id`,
        [scope.orgId, target.id, source.id],
      );
      // The source's open care task ends; the care job schedules the target from its own last contact.
      await manager.query(
        `UPDATE customer_care_tasks SET status = 'cancelled' WHERE org_id = $1 AND customer_id = $2 AND status = 'open'`,
        [scope.orgId, source.id],
      );
      const tags = uniqueTags([...target.tags, ...source.tags]);
      const lastContact = [target.last_contact_at, source.last_contact_at]
        .filter((d): d is Date => d !== null)
        .sort((a, b) => b.getTime() - a.getTime())[0];
      await manager.query(
        `UPDATE customers SET tags = $3, lifetime_value_fen = lifetime_value_fen + $4, last_contact_at = $5,
           updated_at = $6, version = version + 1
         WHERE org_id = $1 AND id = $2`,
        [scope.orgId, target.id, tags, source.lifetime_value_fen, lastContact ?? null, now],
      );
      await manager.query(
        `UPDATE customers SET status = 'merged', merged_into = $3, merged_at = $4, updated_at = $4, version = version + 1
          WHERE org_id = $1 AND id = $2`,
        [scope.orgId, source.id, target.id, now],
      );
      const details = {
        sourceId: source.id,
        sourceDisplayName: source.display_name,
        contactPointsMoved: moved.length,
        eventsMoved: events.length,
        tagsAdded: tags.filter((t) => !target.tags.includes(t)),
        lifetimeValueFenAdded: Number(source.lifetime_value_fen),
      };
      await manager.query(
        `INSERT INTO customer_merges (org_id, target_id, source_id, merged_by, details, merged_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [scope.orgId, target.id, source.id, actor.userId, JSON.stringify(details), now],
      );
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: target.id,
        kind: 'customer.merged',
        actorUserId: actor.userId,
        details,
        at: now,
      });
      await recordCustomerEvent(manager, {
        orgId: scope.orgId,
        customerId: source.id,
        kind: 'customer.merged_away',
        actorUserId: actor.userId,
        details: { targetId: target.id },
        at: now,
      });
      return this.versioned(manager, scope.orgId, target.id);
    });
  }

  /** The profile's history with that of every profile merged into it, newest first. */
  async historyOf(
    scope: DataScope,
    customerId: string,
    query: CustomerHistoryQueryDto,
  ): Promise<Page<CustomerHistoryEntryDto>> {
    const row = await this.loadReadable(this.dataSource.manager, scope, customerId);
    const merged: { id: string }[] = await this.dataSource.query(
      `WITH RECURSIVE absorbed (id, hops) AS (
         SELECT id, 0 FROM customers WHERE org_id = $1 AND merged_into = $2
         UNION ALL
         SELECT c.id, a.hops + 1 FROM customers c JOIN absorbed a ON c.org_id = $1 AND c.merged_into = a.id
          WHERE a.hops < $3
       ) SELECT id FROM absorbed`,
      [scope.orgId, row.id, MAX_MERGE_HOPS],
    );
    return this.history.page(scope.orgId, [row.id, ...merged.map((m) => m.id)], query);
  }

  private customersQuery(manager: EntityManager): SelectQueryBuilder<object> {
    return manager
      .createQueryBuilder()
      .select(SELECT_COLUMNS)
      .from('customers', 'c')
      .leftJoin('org_units', 'u', 'u.org_id = c.org_id AND u.id = c.unit_id');
  }

  private async loadRow(
    manager: EntityManager,
    orgId: string,
    customerId: string,
  ): Promise<CustomerRow | null> {
    const row = await this.customersQuery(manager)
      .where('c.org_id = :orgId AND c.id = :customerId', { orgId, customerId })
      .getRawOne<CustomerRow>();
    return row ?? null;
  }

  /** The live profile an id answers for (following merges), inside the caller's scope; else 404. */
  private async loadReadable(
    manager: EntityManager,
    scope: DataScope,
    customerId: string,
  ): Promise<CustomerRow> {
    let row = await this.loadRow(manager, scope.orgId, customerId);
    for (let hop = 0; row && row.status === 'merged' && row.merged_into && hop < MAX_MERGE_HOPS; hop++) {
      row = await this.loadRow(manager, scope.orgId, row.merged_into);
    }
    if (
      !row ||
      row.status !== 'active' ||
      !scope.permits({ unitPath: row.unit_path, ownerId: row.owner_id })
    ) {
      throw DomainError.notFound('Customer');
    }
    return row;
  }

  /**
   * A live profile to change, in scope, locked for the transaction. A merged id is 409
   * `customer_merged` naming the profile to write to instead (when that one is in scope).
   */
  private async loadWritable(
    manager: EntityManager,
    scope: DataScope,
    customerId: string,
    field?: string,
  ): Promise<CustomerRow> {
    await manager.query(`SELECT 1 FROM customers WHERE org_id = $1 AND id = $2 FOR UPDATE`, [
      scope.orgId,
      customerId,
    ]);
    const row = await this.loadRow(manager, scope.orgId, customerId);
    const inScope = (r: CustomerRow) => scope.permits({ unitPath: r.unit_path, ownerId: r.owner_id });
    const missing = () =>
      field
        ? new DomainError(ErrorCode.ReferenceNotFound, 'No such customer in your scope', {
            errors: [{ field, message: 'customer not found' }],
          })
        : DomainError.notFound('Customer');
    if (!row || row.status === 'archived') throw missing();
    if (row.status === 'merged') {
      const current = await this.loadReadable(manager, scope, row.id).catch(() => null);
      if (!current) throw missing();
      throw new DomainError(ErrorCode.CustomerMerged, 'This customer was merged into another profile', {
        extensions: { mergedInto: current.id },
      });
    }
    if (!inScope(row)) throw missing();
    return row;
  }

  private async versioned(
    manager: EntityManager,
    orgId: string,
    id: string,
  ): Promise<Versioned<CustomerDto>> {
    const row = await this.loadRow(manager, orgId, id);
    if (!row) throw DomainError.notFound('Customer');
    const points = await this.contactPoints(manager, orgId, [id]);
    const purchases = await this.purchasesOf(orgId, points);
    return new Versioned(toDto(row, points, false, purchases), row.version);
  }

  /**
   * Analytics purchase totals of the `analytics` contact points among `points`, in one read through the
   * analytics module's event store (the customers module never reads analytics tables). Merged profiles'
   * points have moved to the profile they were merged into, so their purchases count there.
   */
  private purchasesOf(orgId: string, points: readonly ContactPointRow[]): Promise<PurchaseTotals> {
    return this.events.purchaseTotals(
      orgId,
      points.filter((p) => p.kind === 'analytics').map((p) => p.value),
    );
  }

  private async contactPoints(
    manager: EntityManager,
    orgId: string,
    ids: string[],
  ): Promise<ContactPointRow[]> {
    if (ids.length === 0) return [];
    return manager.query(
      `SELECT id, customer_id, kind, value, is_primary FROM customer_contact_points
        WHERE org_id = $1 AND customer_id = ANY($2::uuid[]) AND retired_at IS NULL
        ORDER BY kind, is_primary DESC, created_at, id`,
      [orgId, ids],
    );
  }

  private async touch(manager: EntityManager, orgId: string, id: string, now: Date) {
    await manager.query(
      `UPDATE customers SET updated_at = $3, version = version + 1 WHERE org_id = $1 AND id = $2`,
      [orgId, id, now],
    );
  }

  private async defaultUnit(manager: EntityManager, actor: Actor, orgId: string): Promise<string> {
    const rows: { unit_id: string }[] = actor.userId
      ? await manager.query(
          `SELECT unit_id FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
          [orgId, actor.userId],
        )
      : await manager.query(`SELECT id AS unit_id FROM org_units WHERE org_id = $1 AND parent_id IS NULL`, [
          orgId,
        ]);
    if (!rows[0]) throw DomainError.validation('unitId', 'is required for callers without a primary unit');
    return rows[0].unit_id;
  }

  private async assertMember(manager: EntityManager, orgId: string, userId: string) {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
      [orgId, userId],
    );
    if (rows.length === 0) {
      throw new DomainError(ErrorCode.ReferenceNotFound, 'No such member in this organization', {
        errors: [{ field: 'ownerId', message: 'member not found in this organization' }],
      });
    }
  }
}

function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}

/** Normalises submitted points, one primary per kind (the flagged one, else the first of its kind). */
function normaliseInputs(
  inputs: readonly ContactPointInputDto[],
  path: string | null,
): { kind: ContactKind; value: string; primary: boolean; field: string }[] {
  const field = (i: number) => (path ? `${path}[${i}].value` : 'value');
  const points = inputs.map((input, i) => {
    const value = normaliseContact(input.kind, input.value);
    if (value === null) throw DomainError.validation(field(i), `is not a valid ${input.kind}`);
    return { kind: input.kind, value, flagged: input.primary === true, field: field(i) };
  });
  const seen = new Set<string>();
  points.forEach((p, i) => {
    const key = `${p.kind}:${p.value}`;
    if (seen.has(key)) throw DomainError.validation(field(i), 'is listed twice');
    seen.add(key);
  });
  for (const kind of CONTACT_KINDS) {
    if (points.filter((p) => p.kind === kind && p.flagged).length > 1) {
      throw DomainError.validation(path ?? 'primary', `only one ${kind} can be primary`);
    }
  }
  return points.map((p) => {
    const ofKind = points.filter((q) => q.kind === p.kind);
    const primary = ofKind.some((q) => q.flagged) ? p.flagged : ofKind[0] === p;
    return { kind: p.kind, value: p.value, primary, field: p.field };
  });
}

type PurchaseTotals = Map<string, { amountFen: number; purchases: number }>;

function toDto(
  row: CustomerRow,
  points: readonly ContactPointRow[],
  unmasked: boolean,
  purchases: PurchaseTotals,
): CustomerDto {
  const own = points.filter((p) => p.customer_id === row.id);
  let bought = 0;
  let count = 0;
  for (const p of own) {
    const total = p.kind === 'analytics' ? purchases.get(p.value) : undefined;
    if (total) {
      bought += total.amountFen;
      count += total.purchases;
    }
  }
  const entered = Number(row.lifetime_value_fen);
  return {
    id: row.id,
    kind: row.kind,
    displayName: row.display_name,
    companyName: row.company_name,
    tier: row.tier,
    tags: row.tags,
    unitId: row.unit_id,
    ownerId: row.owner_id,
    consentMarketing: row.consent_marketing,
    consentDataProcessing: row.consent_data_processing,
    lifetimeValueFen: count > 0 ? bought : entered,
    lifetimeValueSource: count > 0 ? 'analytics' : 'entered',
    enteredLifetimeValueFen: entered,
    analyticsPurchases: count,
    lastContactAt: row.last_contact_at?.toISOString() ?? null,
    contactPoints: own.map((p): ContactPointDto => ({
      id: p.id,
      kind: p.kind,
      value: presentContact(p.kind, p.value, unmasked),
      primary: p.is_primary,
    })),
    masked: !unmasked,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
