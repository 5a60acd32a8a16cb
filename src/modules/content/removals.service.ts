import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppConfig } from '../../platform/config/app-config';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate } from '../../platform/http/pagination';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { ModerationService } from '../moderation/moderation.service';
import { recordContentEvent } from './content-events';
import { contentInScope } from './content-lookup';
import { ContentRow, loadContent, toContentDto } from './content-row';
import { assertTransition } from './content-state';
import { ContentDto, FindingDto } from './content.dto';
import {
  CreateRestoreRequestDto,
  DecideRestoreRequestDto,
  ListRestoreRequestsQueryDto,
  RemoveContentDto,
  RestoreRequestDto,
} from './removal.dto';

interface RestoreRow {
  id: string;
  content_id: string;
  org_id: string;
  title: string;
  requested_by: string | null;
  justification: string;
  status: 'pending' | 'approved' | 'rejected';
  removal_reason_code: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  findings: FindingDto[] | null;
  created_at: Date;
}

const toRestoreDto = (row: RestoreRow): RestoreRequestDto => ({
  id: row.id,
  contentId: row.content_id,
  orgId: row.org_id,
  title: row.title,
  requestedBy: row.requested_by,
  justification: row.justification,
  status: row.status,
  removalReasonCode: row.removal_reason_code,
  decidedBy: row.decided_by,
  decidedAt: row.decided_at?.toISOString() ?? null,
  decisionNote: row.decision_note,
  findings: row.findings,
  createdAt: row.created_at.toISOString(),
});

const RESTORE_SELECT = `SELECT r.*, c.title, c.removal_reason_code FROM content_restore_requests r
  JOIN contents c ON c.id = r.content_id`;

/**
 * Removal of published content by platform staff (with the guide's reason codes; the content is kept),
 * and the author's way back: a restore request within the window, decided by platform staff, with
 * automatic review run again before anything shows.
 */
@Injectable()
export class RemovalsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly moderation: ModerationService,
    private readonly notifications: NotificationsService,
  ) {}

  async remove(actor: Actor, contentId: string, dto: RemoveContentDto): Promise<ContentDto> {
    return this.dataSource.transaction(async (manager) => {
      const content = await loadContent(manager, contentId, { lock: true });
      assertTransition(content.state, 'removed');
      const now = this.clock.now();
      await manager.query(
        `UPDATE contents SET state = 'removed', state_changed_at = $2, updated_at = $2, removed_at = $2, removed_by = $3,
           removal_reason_code = $4, removal_note = $5, pinned = false, pinned_until = NULL, version = version + 1
         WHERE id = $1`,
        [contentId, now, actor.userId, dto.reasonCode, dto.note],
      );
      await recordContentEvent(
        manager,
        {
          contentId,
          orgId: content.org_id,
          from: content.state,
          to: 'removed',
          action: 'removed',
          actor,
          reasonCode: dto.reasonCode,
          note: dto.note,
          revision: content.revision,
        },
        now,
      );
      const deadline = this.deadline(now);
      await this.tellAuthor(manager, content, {
        type: 'content.removed',
        title: `“${content.title}” was removed`,
        body: `Reason: ${dto.reasonCode} — ${dto.note}. You may ask to restore it until ${deadline.toISOString()}.`,
      });
      return toContentDto(await loadContent(manager, contentId), now);
    });
  }

  async requestRestore(
    actor: Actor,
    scope: DataScope,
    contentId: string,
    dto: CreateRestoreRequestDto,
  ): Promise<RestoreRequestDto> {
    return this.dataSource.transaction(async (manager) => {
      const content = await contentInScope(manager, scope, contentId, { lock: true });
      if (content.state !== 'removed' || !content.removed_at) {
        throw new DomainError(ErrorCode.InvalidState, 'Only removed content can be restored', {
          extensions: { currentState: content.state },
        });
      }
      const now = this.clock.now();
      const deadline = this.deadline(content.removed_at);
      if (now.getTime() > deadline.getTime()) {
        throw new DomainError(ErrorCode.Unprocessable, 'The window to ask for a restore has closed', {
          extensions: { removedAt: content.removed_at.toISOString(), deadline: deadline.toISOString() },
        });
      }
      const pending: unknown[] = await manager.query(
        `SELECT 1 FROM content_restore_requests WHERE content_id = $1 AND status = 'pending'`,
        [contentId],
      );
      if (pending.length > 0)
        throw new DomainError(ErrorCode.Duplicate, 'A restore request is already pending');
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO content_restore_requests (content_id, org_id, requested_by, justification, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [contentId, content.org_id, actor.userId, dto.justification, now],
      );
      await recordContentEvent(
        manager,
        {
          contentId,
          orgId: content.org_id,
          from: 'removed',
          to: 'removed',
          action: 'restore.requested',
          actor,
          note: dto.justification,
          revision: content.revision,
        },
        now,
      );
      return this.loadRequest(manager, id);
    });
  }

  async listForContent(scope: DataScope, contentId: string): Promise<RestoreRequestDto[]> {
    await contentInScope(this.dataSource.manager, scope, contentId);
    const rows: RestoreRow[] = await this.dataSource.query(
      `${RESTORE_SELECT} WHERE r.content_id = $1 ORDER BY r.created_at DESC, r.id DESC`,
      [contentId],
    );
    return rows.map(toRestoreDto);
  }

  async listForPlatform(query: ListRestoreRequestsQueryDto): Promise<Page<RestoreRequestDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(['r.*', 'c.title AS title', 'c.removal_reason_code AS removal_reason_code'])
      .from('content_restore_requests', 'r')
      .innerJoin('contents', 'c', 'c.id = r.content_id')
      .where('r.status = :status', { status: query.status ?? 'pending' });
    return paginate(qb, {
      query,
      sort: { key: { column: 'r.created_at', kind: 'timestamp' }, direction: 'ASC' },
      idColumn: 'r.id',
      fetch: (q) => q.getRawMany<RestoreRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: toRestoreDto,
    });
  }

  /**
   * Approving runs automatic review on the removed text first: if it would be blocked today, the request
   * is rejected with the findings and the content stays removed.
   */
  async decide(actor: Actor, requestId: string, dto: DecideRestoreRequestDto): Promise<RestoreRequestDto> {
    return this.dataSource.transaction(async (manager) => {
      const rows: RestoreRow[] = await manager.query(
        `SELECT r.*, '' AS title, NULL AS removal_reason_code FROM content_restore_requests r WHERE r.id = $1 FOR UPDATE`,
        [requestId],
      );
      const request = rows[0];
      if (!request) throw DomainError.notFound('Restore request');
      if (request.status !== 'pending') {
        throw new DomainError(ErrorCode.InvalidState, `The request is already ${request.status}`, {
          extensions: { currentState: request.status },
        });
      }
      const content = await loadContent(manager, request.content_id, { lock: true });
      const now = this.clock.now();
      let status: 'approved' | 'rejected' = dto.decision === 'approve' ? 'approved' : 'rejected';
      let note = dto.note ?? null;
      let findings: FindingDto[] | null = null;
      if (status === 'approved') {
        const scan = await this.moderation.scanFields(content.org_id, {
          title: content.title,
          body: content.body,
        });
        findings = scan.findings as FindingDto[];
        if (scan.verdict === 'block') {
          status = 'rejected';
          note = 'Automatic review still blocks this text, so it stays removed';
        }
      }
      await manager.query(
        `UPDATE content_restore_requests SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5,
           findings = $6 WHERE id = $1`,
        [requestId, status, actor.userId, now, note, findings ? JSON.stringify(findings) : null],
      );
      if (status === 'approved') {
        assertTransition(content.state, 'restored');
        await manager.query(
          `UPDATE contents SET state = 'restored', state_changed_at = $2, updated_at = $2, findings = $3, removed_at = NULL,
             removed_by = NULL, removal_reason_code = NULL, removal_note = NULL, version = version + 1
           WHERE id = $1`,
          [content.id, now, JSON.stringify(findings)],
        );
      }
      await recordContentEvent(
        manager,
        {
          contentId: content.id,
          orgId: content.org_id,
          from: 'removed',
          to: status === 'approved' ? 'restored' : 'removed',
          action: status === 'approved' ? 'restore.approved' : 'restore.rejected',
          actor,
          note,
          findings,
          revision: content.revision,
        },
        now,
      );
      await this.tellAuthor(manager, content, {
        type: status === 'approved' ? 'content.restored' : 'content.restore_rejected',
        title:
          status === 'approved'
            ? `“${content.title}” is shown again`
            : `Restoring “${content.title}” was refused`,
        body:
          note ??
          (status === 'approved' ? 'Your restore request was approved.' : 'Your request was rejected.'),
      });
      return this.loadRequest(manager, requestId);
    });
  }

  private deadline(removedAt: Date): Date {
    return new Date(removedAt.getTime() + this.config.env.CONTENT_RESTORE_WINDOW_DAYS * 86_400_000);
  }

  private async loadRequest(manager: EntityManager, id: string): Promise<RestoreRequestDto> {
    const rows: RestoreRow[] = await manager.query(`${RESTORE_SELECT} WHERE r.id = $1`, [id]);
    return toRestoreDto(rows[0]);
  }

  private async tellAuthor(
    manager: EntityManager,
    content: ContentRow,
    message: { type: string; title: string; body: string },
  ) {
    if (!content.owner_id) return;
    await this.notifications.notify(manager, {
      userIds: [content.owner_id],
      orgId: content.org_id,
      ...message,
      data: { contentId: content.id },
    });
  }
}
