import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, parseSort, SortKey } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { unitPathOf } from '../access/org-lookups';
import { AutomaticReview } from './automatic-review';
import { recordContentEvent } from './content-events';
import { contentInScope } from './content-lookup';
import { ContentRow, loadContent, toContentDto } from './content-row';
import { ContentState } from './content-state';
import { saveRevision } from './content-revisions';
import { ContentTargets } from './content-targets';
import { ContentPublisher } from './publishing/content-publisher';
import {
  ContentDto,
  CorrectContentDto,
  CreateContentDto,
  ListContentsQueryDto,
  PlatformListContentsQueryDto,
  SubmitResultDto,
  UpdateContentDto,
} from './content.dto';
import { containsPattern } from '../../platform/database/like';

const SORT_KEYS: Record<string, SortKey> = {
  createdAt: { column: 'c.created_at', kind: 'timestamp' },
  updatedAt: { column: 'c.updated_at', kind: 'timestamp' },
};

/** Changing the text of content in these states sends it through review again. */
const REVIEWED_STATES: readonly ContentState[] = ['approved', 'published', 'restored', 'publish_failed'];

/**
 * Content of an organization: drafting, editing (every text change is a revision), submitting to
 * automatic review, and deleting drafts. Review decisions, removal and publishing live elsewhere.
 */
@Injectable()
export class ContentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly targets: ContentTargets,
    private readonly automaticReview: AutomaticReview,
    private readonly publisher: ContentPublisher,
  ) {}

  async list(scope: DataScope, query: ListContentsQueryDto): Promise<Page<ContentDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select('c.*')
      .from('contents', 'c')
      .where('c.deleted_at IS NULL');
    scope.apply(qb, { org: 'c.org_id', unit: 'c.unit_id', owner: 'c.owner_id' });
    return this.page(qb, query);
  }

  /** Platform staff find content across organizations (to review, correct or remove it). */
  async listForPlatform(query: PlatformListContentsQueryDto): Promise<Page<ContentDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select('c.*')
      .from('contents', 'c')
      .where('c.deleted_at IS NULL');
    if (query.orgId) qb.andWhere('c.org_id = :orgId', { orgId: query.orgId });
    if (query.channel) qb.andWhere('c.target_channel = :channel', { channel: query.channel });
    if (query.q) {
      qb.andWhere(`c.title ILIKE :q ESCAPE '\\'`, { q: containsPattern(query.q) });
    }
    return this.page(qb, query);
  }

  async get(scope: DataScope, id: string): Promise<Versioned<ContentDto>> {
    const row = await contentInScope(this.dataSource.manager, scope, id);
    return new Versioned(toContentDto(row, this.clock.now()), row.version);
  }

  async create(actor: Actor, scope: DataScope, dto: CreateContentDto): Promise<Versioned<ContentDto>> {
    return this.dataSource.transaction(async (manager) => {
      const unitId = dto.unitId ?? (await this.primaryUnit(manager, actor, scope.orgId));
      const unitPath = await unitPathOf(manager, scope.orgId, unitId, 'unitId');
      if (!scope.permits({ unitPath, ownerId: actor.userId })) {
        throw new DomainError(
          ErrorCode.PermissionDenied,
          'Your content:write scope does not cover that unit',
        );
      }
      await this.targets.assertTargetable(manager, actor, scope.orgId, dto.target);
      const now = this.clock.now();
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO contents (org_id, unit_id, owner_id, kind, title, body, attachments, category, tags, target_kind,
           target_channel, target_account_id, publish_at, state_changed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14) RETURNING id`,
        [
          scope.orgId,
          unitId,
          actor.userId,
          dto.kind,
          dto.title,
          dto.body,
          JSON.stringify(dto.attachments ?? []),
          dto.category ?? null,
          dto.tags ?? [],
          dto.target.kind,
          dto.target.kind === 'platform' ? dto.target.channel : null,
          dto.target.kind === 'social_account' ? dto.target.accountId : null,
          dto.publishAt ? new Date(dto.publishAt) : null,
          now,
        ],
      );
      const row = await loadContent(manager, id);
      await saveRevision(manager, row, actor, now);
      await recordContentEvent(
        manager,
        { contentId: id, orgId: scope.orgId, from: null, to: 'draft', action: 'created', actor, revision: 1 },
        now,
      );
      return new Versioned(toContentDto(row, now), row.version);
    });
  }

  async update(
    actor: Actor,
    scope: DataScope,
    id: string,
    dto: UpdateContentDto,
    ifMatch?: string,
  ): Promise<Versioned<ContentDto>> {
    return this.dataSource.transaction(async (manager) => {
      const before = await contentInScope(manager, scope, id, { lock: true });
      if (dto.target) await this.targets.assertTargetable(manager, actor, scope.orgId, dto.target);
      return this.applyEdit(manager, actor, before, dto, ifMatch);
    });
  }

  /** Platform editors correct any organization's content; the same revision and re-review rules apply. */
  async correctAsPlatform(
    actor: Actor,
    id: string,
    dto: CorrectContentDto,
    ifMatch?: string,
  ): Promise<Versioned<ContentDto>> {
    return this.dataSource.transaction(async (manager) => {
      const before = await loadContent(manager, id, { lock: true });
      return this.applyEdit(manager, actor, before, dto, ifMatch);
    });
  }

  /**
   * Every change of the text is a new revision. Text that review already passed goes through review
   * again; content waiting for a decision, or removed, cannot change at all.
   */
  private async applyEdit(
    manager: EntityManager,
    actor: Actor,
    before: ContentRow,
    dto: UpdateContentDto,
    ifMatch?: string,
  ): Promise<Versioned<ContentDto>> {
    assertIfMatch(ifMatch, before.version);
    await this.assertNotPublishing(manager, before);
    if (before.state === 'submitted' || before.state === 'in_review' || before.state === 'removed') {
      throw new DomainError(
        ErrorCode.InvalidState,
        before.state === 'removed'
          ? 'Removed content cannot be edited; ask for it to be restored'
          : 'Content under review cannot be edited until it is decided',
        { extensions: { currentState: before.state } },
      );
    }
    const live = before.state === 'published' || before.state === 'restored';
    if (live && (dto.target !== undefined || dto.publishAt !== undefined)) {
      throw new DomainError(ErrorCode.InvalidState, 'Published content keeps its target and publish time', {
        extensions: { currentState: before.state },
      });
    }
    const next = {
      title: dto.title ?? before.title,
      body: dto.body ?? before.body,
      attachments: dto.attachments ?? before.attachments,
      category: dto.category ?? before.category,
      tags: dto.tags ?? before.tags,
    };
    const textChanged =
      next.title !== before.title ||
      next.body !== before.body ||
      next.category !== before.category ||
      JSON.stringify(next.attachments) !== JSON.stringify(before.attachments) ||
      JSON.stringify(next.tags) !== JSON.stringify(before.tags);
    const now = this.clock.now();
    await manager.query(
      `UPDATE contents SET title = $2, body = $3, attachments = $4, category = $5, tags = $6, target_kind = $7,
         target_channel = $8, target_account_id = $9, publish_at = $10, revision = revision + $11, updated_at = $12,
         version = version + 1
       WHERE id = $1`,
      [
        before.id,
        next.title,
        next.body,
        JSON.stringify(next.attachments),
        next.category,
        next.tags,
        dto.target?.kind ?? before.target_kind,
        dto.target ? (dto.target.kind === 'platform' ? dto.target.channel : null) : before.target_channel,
        dto.target
          ? dto.target.kind === 'social_account'
            ? dto.target.accountId
            : null
          : before.target_account_id,
        dto.publishAt === undefined
          ? before.publish_at
          : dto.publishAt === null
            ? null
            : new Date(dto.publishAt),
        textChanged ? 1 : 0,
        now,
      ],
    );
    let row = await loadContent(manager, before.id);
    if (textChanged) {
      await saveRevision(manager, row, actor, now);
      if (REVIEWED_STATES.includes(before.state)) {
        await this.automaticReview.run(manager, row, actor, 'edited');
        row = await loadContent(manager, before.id);
      }
    }
    return new Versioned(toContentDto(row, now), row.version);
  }

  /** Only drafts and rejected content can be deleted; anything that was ever live is kept. */
  async delete(actor: Actor, scope: DataScope, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await contentInScope(manager, scope, id, { lock: true });
      if (row.state !== 'draft' && row.state !== 'rejected') {
        throw new DomainError(ErrorCode.InvalidState, 'Only drafts and rejected content can be deleted', {
          extensions: { currentState: row.state },
        });
      }
      const now = this.clock.now();
      await manager.query(
        `UPDATE contents SET deleted_at = $2, updated_at = $2, version = version + 1 WHERE id = $1`,
        [id, now],
      );
      await recordContentEvent(
        manager,
        {
          contentId: id,
          orgId: row.org_id,
          from: row.state,
          to: row.state,
          action: 'deleted',
          actor,
          revision: row.revision,
        },
        now,
      );
    });
  }

  /** Runs automatic review synchronously and answers where it sent the content, with its findings. */
  async submit(actor: Actor, scope: DataScope, id: string): Promise<SubmitResultDto> {
    const result = await this.dataSource.transaction(async (manager) => {
      const row = await contentInScope(manager, scope, id, { lock: true });
      if (row.state !== 'draft' && row.state !== 'rejected') {
        throw new DomainError(ErrorCode.InvalidState, `Content in state "${row.state}" cannot be submitted`, {
          extensions: { currentState: row.state },
        });
      }
      if (row.target_kind === 'social_account') {
        await this.targets.assertTargetable(manager, actor, scope.orgId, {
          kind: 'social_account',
          accountId: row.target_account_id!,
        });
      }
      const review = await this.automaticReview.run(manager, row, actor, 'submitted');
      const after = await loadContent(manager, id);
      return {
        content: toContentDto(after, this.clock.now()),
        outcome: review.route,
        findings: review.findings,
      };
    });
    if (result.outcome === 'approved') await this.publisher.requestRun();
    return result;
  }

  /**
   * Sends content whose publishing failed round again. For a social account the caller must still be
   * allowed to publish to it (the access rule with `publish`), as when the content was targeted.
   */
  async retryPublishing(actor: Actor, scope: DataScope, id: string): Promise<Versioned<ContentDto>> {
    const result = await this.dataSource.transaction(async (manager) => {
      const row = await contentInScope(manager, scope, id, { lock: true });
      if (row.target_kind === 'social_account') {
        await this.targets.assertTargetable(manager, actor, scope.orgId, {
          kind: 'social_account',
          accountId: row.target_account_id!,
        });
      }
      await this.publisher.retry(manager, id, actor);
      const after = await loadContent(manager, id);
      return new Versioned(toContentDto(after, this.clock.now()), after.version);
    });
    await this.publisher.requestRun();
    return result;
  }

  /** While an attempt is in flight the platform may be receiving this very revision: nothing may change. */
  private async assertNotPublishing(manager: EntityManager, row: ContentRow) {
    if (row.state === 'approved' && (await this.publisher.isPublishing(manager, row.id))) {
      throw new DomainError(
        ErrorCode.InvalidState,
        'The content is being published right now; try again shortly',
        {
          extensions: { currentState: 'publishing' },
        },
      );
    }
  }

  /** The filters and keyset paging both content lists share. */
  private page(
    qb: SelectQueryBuilder<ObjectLiteral>,
    query: ListContentsQueryDto,
  ): Promise<Page<ContentDto>> {
    if (query.state) qb.andWhere('c.state = :state', { state: query.state });
    if (query.kind) qb.andWhere('c.kind = :kind', { kind: query.kind });
    if (query.category) qb.andWhere('c.category = :category', { category: query.category });
    if (query.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: query.ownerId });
    if (query.accountId) qb.andWhere('c.target_account_id = :accountId', { accountId: query.accountId });
    const sort = parseSort(query.sort, SORT_KEYS, '-createdAt');
    const now = this.clock.now();
    return paginate(qb, {
      query,
      sort,
      idColumn: 'c.id',
      fetch: (q) => q.getRawMany<ContentRow>(),
      sortValue: (row) => (sort.key === SORT_KEYS.updatedAt ? row.updated_at : row.created_at),
      idValue: (row) => row.id,
      map: (row) => toContentDto(row, now),
    });
  }

  private async primaryUnit(manager: EntityManager, actor: Actor, orgId: string): Promise<string> {
    const rows: { unit_id: string }[] = actor.userId
      ? await manager.query(
          `SELECT unit_id FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
          [orgId, actor.userId],
        )
      : [];
    if (!rows[0]) throw DomainError.validation('unitId', 'is required when the caller has no primary unit');
    return rows[0].unit_id;
  }
}
