import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { VerificationRequest } from './verification-request.entity';
import { EnterpriseSnapshot, PersonSnapshot } from './verification.types';

export type Submission =
  | { kind: 'real_name'; userId: string; snapshot: PersonSnapshot }
  | { kind: 'enterprise'; orgId: string; snapshot: EnterpriseSnapshot };

/**
 * Opens a verification request inside the caller's transaction. A subject has at most one pending
 * request: an older pending one is superseded first, so a reviewer can only ever decide on the data
 * that is on file now.
 */
@Injectable()
export class VerificationSubmissions {
  async submit(
    manager: EntityManager,
    submission: Submission,
    submittedBy: string | null,
    now: Date,
  ): Promise<VerificationRequest> {
    const subject =
      submission.kind === 'real_name'
        ? { subjectUserId: submission.userId, subjectOrgId: null }
        : { subjectUserId: null, subjectOrgId: submission.orgId };
    const column = submission.kind === 'real_name' ? 'subject_user_id' : 'subject_org_id';
    await manager
      .createQueryBuilder()
      .update(VerificationRequest)
      .set({ status: 'superseded' })
      .where(`${column} = :subject AND status = 'pending'`, {
        subject: subject.subjectUserId ?? subject.subjectOrgId,
      })
      .execute();
    return manager.getRepository(VerificationRequest).save({
      kind: submission.kind,
      ...subject,
      status: 'pending',
      snapshot: submission.snapshot,
      submittedBy,
      submittedAt: now,
      decidedBy: null,
      decidedAt: null,
      reason: null,
      note: null,
    });
  }
}
