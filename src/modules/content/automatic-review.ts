import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { Actor } from '../access/actor';
import { ModerationService } from '../moderation/moderation.service';
import { recordContentEvent } from './content-events';
import { ContentRow } from './content-row';
import { assertTransition, ContentState } from './content-state';
import { FindingDto } from './content.dto';
import { ReviewTaskQueue } from './review-task-queue';

export type ReviewRoute = 'rejected' | 'organization_review' | 'platform_review' | 'approved';

export interface AutomaticReviewResult {
  state: ContentState;
  route: ReviewRoute;
  findings: FindingDto[];
}

const STATE_OF: Record<ReviewRoute, ContentState> = {
  rejected: 'rejected',
  organization_review: 'submitted',
  platform_review: 'in_review',
  approved: 'approved',
};

/**
 * Runs the sensitive-word engine over a content's title and body and sends it where the findings and
 * the organization's policy say: back to the author on a `block` finding, to the organization's own
 * review when it has one, straight to approved when the policy lets low-risk content skip manual
 * review, else to the platform's review queue. Used by submit, by edits of approved or published text,
 * and by restores.
 */
@Injectable()
export class AutomaticReview {
  constructor(
    private readonly moderation: ModerationService,
    private readonly queue: ReviewTaskQueue,
    private readonly clock: Clock,
  ) {}

  async run(
    manager: EntityManager,
    content: ContentRow,
    actor: Actor | null,
    action: string,
  ): Promise<AutomaticReviewResult> {
    const scan = await this.moderation.scanFields(content.org_id, {
      title: content.title,
      body: content.body,
    });
    const policy = await this.moderation.policyOf(content.org_id, manager);
    const findings = scan.findings as FindingDto[];
    const lowRisk = scan.verdict === 'pass' || scan.verdict === 'flag';
    const route: ReviewRoute =
      scan.verdict === 'block'
        ? 'rejected'
        : policy.organizationReview
          ? 'organization_review'
          : lowRisk && policy.skipManualReviewForLowRisk
            ? 'approved'
            : 'platform_review';
    const state = STATE_OF[route];
    assertTransition(content.state, state);
    const now = this.clock.now();
    await this.queue.cancelOpen(manager, content.id);
    await manager.query(
      `UPDATE contents SET state = $2, findings = $3, state_changed_at = $4, updated_at = $4, version = version + 1,
         publish_attempts = 0, next_publish_attempt_at = NULL, last_publish_error = NULL
       WHERE id = $1`,
      [content.id, state, JSON.stringify(findings), now],
    );
    await recordContentEvent(
      manager,
      {
        contentId: content.id,
        orgId: content.org_id,
        from: content.state,
        to: state,
        action,
        actor,
        findings,
        note: `automatic review: ${scan.verdict}`,
        revision: content.revision,
      },
      now,
    );
    if (route === 'organization_review' || route === 'platform_review') {
      await this.queue.open(manager, {
        contentId: content.id,
        orgId: content.org_id,
        level: route === 'organization_review' ? 'organization' : 'platform',
        revision: content.revision,
        findings,
      });
    }
    return { state, route, findings };
  }
}
