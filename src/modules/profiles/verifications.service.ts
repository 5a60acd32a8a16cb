import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate, parseSort } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { VerificationNotices } from './verification-notices';
import { VerificationRequest } from './verification-request.entity';
import {
  DecideVerificationDto,
  ListVerificationsQueryDto,
  toVerificationDto,
  VerificationDto,
} from './verifications.dto';

const SORT_KEYS = { submittedAt: { column: 'v.submitted_at', kind: 'timestamp' as const } };

/**
 * The platform's review queue. Platform-wide by nature: the guard has checked the `platform:*`
 * permission in the platform organization, and every request is visible to reviewers (masked).
 */
@Injectable()
export class VerificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly notices: VerificationNotices,
  ) {}

  listVerifications(query: ListVerificationsQueryDto): Promise<Page<VerificationDto>> {
    const qb = this.dataSource.getRepository(VerificationRequest).createQueryBuilder('v');
    if (query.status) qb.andWhere('v.status = :status', { status: query.status });
    if (query.kind) qb.andWhere('v.kind = :kind', { kind: query.kind });
    if (query.subjectUserId)
      qb.andWhere('v.subject_user_id = :subjectUserId', { subjectUserId: query.subjectUserId });
    if (query.subjectOrgId)
      qb.andWhere('v.subject_org_id = :subjectOrgId', { subjectOrgId: query.subjectOrgId });
    return paginate(qb, {
      query,
      sort: parseSort(query.sort, SORT_KEYS, 'submittedAt'),
      idColumn: 'v.id',
      sortValue: (row) => row.submittedAt,
      idValue: (row) => row.id,
      map: toVerificationDto,
    });
  }

  /**
   * Decides a pending request exactly once: the conditional UPDATE lets only one of two racing
   * decisions through, and the subject's status and its notification commit with it or not at all.
   */
  async decideVerification(actor: Actor, id: string, dto: DecideVerificationDto): Promise<VerificationDto> {
    const now = this.clock.now();
    const status = dto.decision === 'approve' ? 'verified' : 'rejected';
    const reason = dto.reason ?? null;
    const decided = await this.dataSource.transaction(async (manager) => {
      const request = await manager.findOneBy(VerificationRequest, { id });
      if (!request) throw DomainError.notFound('Verification request');
      await this.assertNotOwn(manager, actor, request);

      const result = await manager
        .createQueryBuilder()
        .update(VerificationRequest)
        .set({ status, decidedBy: actor.userId, decidedAt: now, reason, note: dto.note ?? null })
        .where(`id = :id AND status = 'pending'`, { id })
        .execute();
      if (result.affected !== 1) {
        const current = await manager.findOneBy(VerificationRequest, { id });
        throw new DomainError(
          ErrorCode.InvalidState,
          'This verification request has already been decided or replaced',
          {
            extensions: { currentState: current?.status ?? request.status },
          },
        );
      }

      // Not through the entities: a review decision must not bump the version the owner's If-Match uses.
      if (request.kind === 'real_name') {
        await manager.query(
          `UPDATE user_profiles SET real_name_status = $2, real_name_reason = $3, real_name_decided_at = $4
           WHERE user_id = $1`,
          [request.subjectUserId, status, reason, now],
        );
      } else {
        await manager.query(
          `UPDATE enterprise_profiles SET verification_status = $2, verification_reason = $3, verification_decided_at = $4
           WHERE org_id = $1`,
          [request.subjectOrgId, status, reason, now],
        );
      }
      const updated = await manager.findOneByOrFail(VerificationRequest, { id });
      await this.notices.decided(manager, updated);
      return updated;
    });
    return toVerificationDto(decided);
  }

  /** Nobody decides on their own identity, nor on an organization they belong to. */
  private async assertNotOwn(
    manager: EntityManager,
    actor: Actor,
    request: VerificationRequest,
  ): Promise<void> {
    if (!actor.userId) return;
    let own = request.subjectUserId === actor.userId;
    if (!own && request.subjectOrgId) {
      const rows: unknown[] = await manager.query(
        `SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
        [request.subjectOrgId, actor.userId],
      );
      own = rows.length > 0;
    }
    if (own)
      throw new DomainError(ErrorCode.Forbidden, 'A verification cannot be decided by its own subject');
  }
}
