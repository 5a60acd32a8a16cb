import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppConfig } from '../../platform/config/app-config';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate } from '../../platform/http/pagination';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { Actor, requireUserId } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { ModerationService } from '../moderation/moderation.service';
import { contentHistory, recordContentEvent } from './content-events';
import { ContentRow, loadContent, toContentDto } from './content-row';
import { assertTransition, ContentState } from './content-state';
import { FindingDto } from './content.dto';
import { ContentPublisher } from './publishing/content-publisher';
import { ReviewTaskQueue } from './review-task-queue';
import {
  DecideReviewTaskDto,
  ListReviewTasksQueryDto,
  PriorRejectionDto,
  ReviewTaskDetailDto,
  ReviewTaskDto,
} from './review-task.dto';

/** Which queue a request works on: an organization's own (within the reviewer's scope) or the platform's. */
export type ReviewDesk = { level: 'organization'; scope: DataScope } | { level: 'platform' };

interface TaskRow {
  id: string;
  content_id: string;
  org_id: string;
  level: 'organization' | 'platform';
  status: 'open' | 'decided' | 'cancelled';
  revision: number;
  findings: FindingDto[];
  claimed_by: string | null;
  claim_expires_at: Date | null;
  decided_by: string | null;
  decision: 'approve' | 'reject' | null;
  reason_code: string | null;
  note: string | null;
  decided_at: Date | null;
  created_at: Date;
  title: string;
  owner_id: string | null;
  unit_path: string;
}

const TASK_COLUMNS = `t.*, c.title, c.owner_id, u.path::text AS unit_path`;
const TASK_FROM = `review_tasks t JOIN contents c ON c.id = t.content_id JOIN org_units u ON u.id = c.unit_id`;

/**
 * Manual review: reviewers claim a task for a limited time and decide it once. A decision locks the task
 * row first, so of two reviewers deciding at once exactly one wins and the other gets 409. An approval
 * at the organization's level hands the content to the platform's queue; at the platform's, it is approved.
 */
@Injectable()
export class ReviewTasksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly queue: ReviewTaskQueue,
    private readonly moderation: ModerationService,
    private readonly notifications: NotificationsService,
    private readonly publisher: ContentPublisher,
  ) {}

  async list(desk: ReviewDesk, query: ListReviewTasksQueryDto): Promise<Page<ReviewTaskDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(['t.*', 'c.title AS title', 'c.owner_id AS owner_id'])
      .from('review_tasks', 't')
      .innerJoin('contents', 'c', 'c.id = t.content_id')
      .where('t.level = :level', { level: desk.level })
      .andWhere('t.status = :status', { status: query.status ?? 'open' });
    if (desk.level === 'organization') {
      desk.scope.apply(qb, { org: 't.org_id', unit: 'c.unit_id', owner: 'c.owner_id' });
    }
    const now = this.clock.now();
    // Oldest first: a review queue is worked in arrival order.
    return paginate(qb, {
      query,
      sort: { key: { column: 't.created_at', kind: 'timestamp' }, direction: 'ASC' },
      idColumn: 't.id',
      fetch: (q) => q.getRawMany<TaskRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: (row) => this.toDto(row, now),
    });
  }

  /** What a reviewer needs to decide: the task, the content, its history and the author's past rejections. */
  async detail(desk: ReviewDesk, id: string): Promise<ReviewTaskDetailDto> {
    const manager = this.dataSource.manager;
    const task = await this.load(manager, desk, id);
    const content = await loadContent(manager, task.content_id);
    const history = await contentHistory(manager, task.content_id);
    const rejections: PriorRejectionDto[] = content.owner_id
      ? (
          await manager.query(
            `SELECT e.content_id, c.title, e.action, e.reason_code, e.note, e.created_at
               FROM content_events e JOIN contents c ON c.id = e.content_id
              WHERE c.owner_id = $1 AND e.content_id <> $2 AND e.to_state = 'rejected'
              ORDER BY e.seq DESC LIMIT 20`,
            [content.owner_id, content.id],
          )
        ).map((r: Record<string, unknown>) => ({
          contentId: r.content_id as string,
          title: r.title as string,
          action: r.action as string,
          reasonCode: r.reason_code as string | null,
          note: r.note as string | null,
          at: (r.created_at as Date).toISOString(),
        }))
      : [];
    return {
      task: this.toDto(task, this.clock.now()),
      content: toContentDto(content, this.clock.now()),
      history,
      authorRejections: rejections,
    };
  }

  /** Locks the task to the caller until the claim expires; re-claiming one's own claim extends it. */
  async claim(actor: Actor, desk: ReviewDesk, id: string): Promise<ReviewTaskDto> {
    const reviewerId = requireUserId(actor);
    return this.dataSource.transaction(async (manager) => {
      const task = await this.load(manager, desk, id, { lock: true });
      this.assertDecidable(task, reviewerId);
      const now = this.clock.now();
      const expiresAt = new Date(now.getTime() + this.config.env.REVIEW_CLAIM_MINUTES * 60_000);
      await manager.query(
        `UPDATE review_tasks SET claimed_by = $2, claim_expires_at = $3, version = version + 1 WHERE id = $1`,
        [id, reviewerId, expiresAt],
      );
      return this.toDto({ ...task, claimed_by: reviewerId, claim_expires_at: expiresAt }, now);
    });
  }

  async decide(actor: Actor, desk: ReviewDesk, id: string, dto: DecideReviewTaskDto): Promise<ReviewTaskDto> {
    const reviewerId = requireUserId(actor);
    let approved = false;
    const decided = await this.dataSource.transaction(async (manager) => {
      const task = await this.load(manager, desk, id, { lock: true });
      this.assertDecidable(task, reviewerId);
      const content = await loadContent(manager, task.content_id, { lock: true });
      const now = this.clock.now();
      await manager.query(
        `UPDATE review_tasks SET status = 'decided', decision = $2, reason_code = $3, note = $4, decided_by = $5,
           decided_at = $6, claimed_by = NULL, claim_expires_at = NULL, version = version + 1
         WHERE id = $1`,
        [id, dto.decision, dto.reasonCode ?? null, dto.note ?? null, reviewerId, now],
      );
      const to = await this.nextState(manager, task, content, dto);
      assertTransition(content.state, to);
      await manager.query(
        `UPDATE contents SET state = $2, state_changed_at = $3, updated_at = $3, version = version + 1 WHERE id = $1`,
        [content.id, to, now],
      );
      await recordContentEvent(
        manager,
        {
          contentId: content.id,
          orgId: content.org_id,
          from: content.state,
          to,
          action: dto.decision === 'approve' ? 'review.approved' : 'review.rejected',
          actor,
          reasonCode: dto.reasonCode ?? null,
          note: dto.note ?? null,
          revision: content.revision,
        },
        now,
      );
      if (to === 'in_review') {
        await this.queue.open(manager, {
          contentId: content.id,
          orgId: content.org_id,
          level: 'platform',
          revision: content.revision,
          findings: task.findings,
        });
      }
      await this.tellAuthor(manager, content, to, dto);
      approved = to === 'approved';
      return this.toDto(await this.load(manager, desk, id), now);
    });
    if (approved) await this.publisher.requestRun();
    return decided;
  }

  /**
   * Rejection goes back to the author. Approval by the platform approves; approval by the organization
   * passes the content on to the platform, unless the policy lets low-risk content skip that.
   */
  private async nextState(
    manager: EntityManager,
    task: TaskRow,
    content: ContentRow,
    dto: DecideReviewTaskDto,
  ): Promise<ContentState> {
    if (dto.decision === 'reject') return 'rejected';
    if (task.level === 'platform') return 'approved';
    const policy = await this.moderation.policyOf(content.org_id, manager);
    const lowRisk = !task.findings.some((f) => f.action === 'review' || f.action === 'block');
    return lowRisk && policy.skipManualReviewForLowRisk ? 'approved' : 'in_review';
  }

  private assertDecidable(task: TaskRow, reviewerId: string) {
    if (task.status !== 'open') {
      throw new DomainError(ErrorCode.InvalidState, `The task is already ${task.status}`, {
        extensions: { currentState: task.status },
      });
    }
    if (task.owner_id === reviewerId) {
      throw new DomainError(ErrorCode.PermissionDenied, 'Nobody reviews their own content');
    }
    const claimedByOther =
      task.claimed_by !== null &&
      task.claimed_by !== reviewerId &&
      task.claim_expires_at !== null &&
      task.claim_expires_at.getTime() > this.clock.now().getTime();
    if (claimedByOther) {
      throw new DomainError(ErrorCode.Conflict, 'Another reviewer has claimed this task', {
        extensions: { claimedBy: task.claimed_by, claimExpiresAt: task.claim_expires_at!.toISOString() },
      });
    }
  }

  private async load(
    manager: EntityManager,
    desk: ReviewDesk,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<TaskRow> {
    const rows: TaskRow[] = await manager.query(
      `SELECT ${TASK_COLUMNS} FROM ${TASK_FROM} WHERE t.id = $1 AND t.level = $2${options.lock ? ' FOR UPDATE OF t' : ''}`,
      [id, desk.level],
    );
    const task = rows[0];
    const visible =
      task &&
      (desk.level === 'platform' ||
        (task.org_id === desk.scope.orgId &&
          desk.scope.permits({ unitPath: task.unit_path, ownerId: task.owner_id })));
    if (!visible) throw DomainError.notFound('Review task');
    return task;
  }

  private async tellAuthor(
    manager: EntityManager,
    content: ContentRow,
    to: ContentState,
    dto: DecideReviewTaskDto,
  ) {
    if (!content.owner_id || to === 'in_review') return;
    await this.notifications.notify(manager, {
      userIds: [content.owner_id],
      orgId: content.org_id,
      type: to === 'rejected' ? 'content.rejected' : 'content.approved',
      title: to === 'rejected' ? `“${content.title}” was rejected` : `“${content.title}” was approved`,
      body:
        to === 'rejected'
          ? `Reason: ${dto.reasonCode}${dto.note ? ` — ${dto.note}` : ''}. Fix it and submit again.`
          : 'It will be published at its publish time.',
      data: { contentId: content.id, reasonCode: dto.reasonCode ?? null },
    });
  }

  private toDto(row: TaskRow, now: Date): ReviewTaskDto {
    const claimLive = row.claim_expires_at !== null && row.claim_expires_at.getTime() > now.getTime();
    return {
      id: row.id,
      contentId: row.content_id,
      orgId: row.org_id,
      level: row.level,
      status: row.status,
      revision: row.revision,
      title: row.title,
      authorId: row.owner_id,
      findings: row.findings,
      claimedBy: claimLive ? row.claimed_by : null,
      claimExpiresAt: claimLive ? row.claim_expires_at!.toISOString() : null,
      decision: row.decision,
      reasonCode: row.reason_code,
      note: row.note,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
    };
  }
}
