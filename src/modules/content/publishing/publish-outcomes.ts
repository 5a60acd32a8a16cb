import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../../../platform/database/query-rows';
import { UsageAction } from '../../social-accounts/usage-records/usage-actions';
import { JsonValue } from '../../social-accounts/usage-records/usage-chain';
import { UsageRecordsService } from '../../social-accounts/usage-records/usage-records.service';
import { recordContentEvent } from '../content-events';
import { assertTransition, ContentState } from '../content-state';
import { DueContent, PublishClaim } from './due-content';
import { Refusal } from './publish-eligibility';
import { PublishError, PublishResult, PublishTargetAccount } from './publish-connector';
import {
  CONTENT_PUBLISH_FAILED,
  CONTENT_PUBLISH_REFUSED,
  CONTENT_PUBLISHED,
  PublishNotices,
} from './publish-notices';
import { PublishPolicy } from './publish-policy';

/** How one pass over a content ended, for the job's summary. */
export type PublishOutcome = 'published' | 'retrying' | 'failed' | 'refused' | 'late';

/** Connector name stored on attempts that need none: publishing to the platform's own channels. */
export const PLATFORM_CONNECTOR = 'platform';

const MAX_ERROR = 2000;

export const OUTCOME_UNKNOWN_ERROR =
  'Outcome unknown: the publishing process stopped during the call to the platform, so the post may or ' +
  'may not exist. Check the account, then retry publishing only if it is not there';

/**
 * Records how publishing ended, each method inside the caller's transaction: the attempt row, the
 * content's state (through the state machine) and its history event, one account usage record for a
 * social-account target when publishing ends (published, refused, failed), and the owner's notification.
 * A retryable failure with attempts left only reschedules: the content stays `approved`.
 */
@Injectable()
export class PublishOutcomes {
  private readonly logger = new Logger('ContentPublishing');

  constructor(
    private readonly usage: UsageRecordsService,
    private readonly notices: PublishNotices,
    private readonly policy: PublishPolicy,
  ) {}

  /** A platform channel: publishing is the state change itself, so it happens at claim time. */
  async publishedInternally(manager: EntityManager, content: DueContent, at: Date): Promise<PublishOutcome> {
    await this.insertFinishedAttempt(manager, content, PLATFORM_CONNECTOR, 'succeeded', null, at);
    await this.markPublished(manager, content, null, at);
    await this.notices.tell(manager, content, null, { type: CONTENT_PUBLISHED, externalPostId: null });
    return 'published';
  }

  /** The access rule fails at publish time: nothing is sent. */
  async refused(
    manager: EntityManager,
    content: DueContent,
    account: PublishTargetAccount,
    refusal: Refusal,
    at: Date,
  ): Promise<PublishOutcome> {
    await this.insertFinishedAttempt(manager, content, 'none', 'refused', refusal.reason, at);
    await this.markFailed(manager, content, refusal.reason, at, {
      action: 'publish.refused',
      reasonCode: refusal.code,
    });
    await this.record(manager, content, account, 'content.publish_refused', {
      contentId: content.id,
      reason: refusal.reason,
      reasonCode: refusal.code,
    });
    await this.notices.tell(manager, content, account, {
      type: CONTENT_PUBLISH_REFUSED,
      reason: refusal.reason,
      reasonCode: refusal.code,
    });
    return 'refused';
  }

  /** No connector could even be chosen (configuration): a permanent failure before any call. */
  async failedBeforeCall(
    manager: EntityManager,
    content: DueContent,
    account: PublishTargetAccount,
    error: PublishError,
    at: Date,
  ): Promise<PublishOutcome> {
    const attempt = await this.insertFinishedAttempt(manager, content, 'none', 'failed', error.message, at);
    return this.giveUp(manager, content, account, attempt, error, at);
  }

  /**
   * An attempt still pending after its lease: its process died between claiming and recording, maybe
   * after the platform published. Never retried blindly: it ends here and a person checks the account.
   */
  async outcomeUnknown(
    manager: EntityManager,
    content: DueContent,
    account: PublishTargetAccount | null,
    at: Date,
  ): Promise<PublishOutcome> {
    const pending = content.pendingAttempt!;
    await this.finishAttempt(manager, pending.id, 'failed', { error: OUTCOME_UNKNOWN_ERROR }, at);
    const error = new PublishError(OUTCOME_UNKNOWN_ERROR, false, 'outcome_unknown');
    return this.giveUp(manager, content, account, pending.attempt, error, at);
  }

  async succeeded(
    manager: EntityManager,
    claim: PublishClaim,
    result: PublishResult,
    at: Date,
  ): Promise<PublishOutcome> {
    const { content, account } = claim;
    const finished = await this.finishAttempt(
      manager,
      claim.attemptId,
      'succeeded',
      { externalPostId: result.externalPostId, externalUrl: result.url ?? null },
      at,
    );
    // Whatever happened to the content meanwhile, the post exists: the account's record says so.
    await this.record(manager, content, account, 'content.published', {
      contentId: content.id,
      attempt: claim.attempt,
      connector: claim.connector.name,
      externalPostId: result.externalPostId,
    });
    if (!finished || !(await this.stillApproved(manager, content, claim))) return 'late';
    await this.markPublished(manager, content, result.externalPostId, at);
    await this.notices.tell(manager, content, account, {
      type: CONTENT_PUBLISHED,
      externalPostId: result.externalPostId,
    });
    return 'published';
  }

  async failed(
    manager: EntityManager,
    claim: PublishClaim,
    error: PublishError,
    at: Date,
  ): Promise<PublishOutcome> {
    const { content, account } = claim;
    const message = `${error.message} [${error.code}]`.slice(0, MAX_ERROR);
    const finished = await this.finishAttempt(manager, claim.attemptId, 'failed', { error: message }, at);
    if (!finished || !(await this.stillApproved(manager, content, claim))) return 'late';

    const next = this.policy.afterFailure(claim.attempt, error.retryable, at);
    if (next.retry) {
      await manager.query(
        `UPDATE contents SET last_publish_error = $2, next_publish_attempt_at = $3, updated_at = $4, version = version + 1
          WHERE id = $1`,
        [content.id, message, next.retryAt, at],
      );
      return 'retrying';
    }
    return this.giveUp(manager, content, account, claim.attempt, error, at);
  }

  /** The end of publishing without a post: `publish_failed`, the account's usage record, the owner told. */
  private async giveUp(
    manager: EntityManager,
    content: DueContent,
    account: PublishTargetAccount | null,
    attempt: number,
    error: PublishError,
    at: Date,
  ): Promise<PublishOutcome> {
    const message = `${error.message} [${error.code}]`.slice(0, MAX_ERROR);
    await this.markFailed(manager, content, message, at, {
      action: 'publish.failed',
      reasonCode: error.code.slice(0, 32),
    });
    if (account) {
      await this.record(manager, content, account, 'content.publish_failed', {
        contentId: content.id,
        attempt,
        error: message,
        retryable: error.retryable,
      });
    }
    await this.notices.tell(manager, content, account, { type: CONTENT_PUBLISH_FAILED, error: message });
    return 'failed';
  }

  /**
   * The claim committed with the content `approved`; the content module refuses changes while an
   * attempt is pending (ContentPublisher.isPublishing). Should the row have changed anyway (a defect, a
   * manual fix in the database), the attempt and usage record keep the facts and the state is left to people.
   */
  private async stillApproved(
    manager: EntityManager,
    content: DueContent,
    claim: PublishClaim,
  ): Promise<boolean> {
    const [row]: { state: ContentState; deleted: boolean }[] = await manager.query(
      `SELECT state, deleted_at IS NOT NULL AS deleted FROM contents WHERE id = $1 FOR UPDATE`,
      [content.id],
    );
    if (row.state === 'approved' && !row.deleted) return true;
    this.logger.warn(
      { contentId: content.id, attempt: claim.attempt, state: row.state, deleted: row.deleted },
      'Publish outcome arrived after the content changed; state left as it is',
    );
    return false;
  }

  private async markPublished(
    manager: EntityManager,
    content: DueContent,
    externalPostId: string | null,
    at: Date,
  ): Promise<void> {
    assertTransition('approved', 'published');
    await manager.query(
      `UPDATE contents
          SET state = 'published', state_changed_at = $2, published_at = $2, external_post_id = $3,
              last_publish_error = NULL, next_publish_attempt_at = NULL, updated_at = $2, version = version + 1
        WHERE id = $1`,
      [content.id, at, externalPostId],
    );
    await recordContentEvent(
      manager,
      {
        contentId: content.id,
        orgId: content.orgId,
        from: 'approved',
        to: 'published',
        action: 'published',
        actor: null,
        revision: content.revision,
      },
      at,
    );
  }

  private async markFailed(
    manager: EntityManager,
    content: DueContent,
    error: string,
    at: Date,
    event: { action: string; reasonCode: string },
  ): Promise<void> {
    assertTransition('approved', 'publish_failed');
    await manager.query(
      `UPDATE contents
          SET state = 'publish_failed', state_changed_at = $2, last_publish_error = $3,
              next_publish_attempt_at = NULL, updated_at = $2, version = version + 1
        WHERE id = $1`,
      [content.id, at, error],
    );
    await recordContentEvent(
      manager,
      {
        contentId: content.id,
        orgId: content.orgId,
        from: 'approved',
        to: 'publish_failed',
        action: event.action,
        actor: null,
        reasonCode: event.reasonCode,
        note: error.slice(0, 1000),
        revision: content.revision,
      },
      at,
    );
  }

  /** One usage record on the account's chain: the job acts for the content's organization. */
  private async record(
    manager: EntityManager,
    content: DueContent,
    account: PublishTargetAccount,
    action: UsageAction,
    details: { [key: string]: JsonValue },
  ): Promise<void> {
    await this.usage.append(manager, {
      accountId: account.id,
      brandOrgId: account.brandOrgId,
      action,
      actor: null,
      actorOrgId: content.orgId,
      agencyOrgId: account.agencyOrgId,
      details,
    });
  }

  /** An attempt that ends as it starts (refused, platform channel, no connector); returns its number. */
  private async insertFinishedAttempt(
    manager: EntityManager,
    content: DueContent,
    connector: string,
    outcome: 'succeeded' | 'failed' | 'refused',
    error: string | null,
    at: Date,
  ): Promise<number> {
    const attempt = content.publishAttempts + 1;
    await manager.query(
      `INSERT INTO content_publish_attempts (content_id, attempt, connector, outcome, error, created_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [content.id, attempt, connector, outcome, error?.slice(0, MAX_ERROR) ?? null, at],
    );
    await manager.query(`UPDATE contents SET publish_attempts = $2 WHERE id = $1`, [content.id, attempt]);
    return attempt;
  }

  /**
   * Ends a pending attempt. False when it is no longer pending: its lease ran out and another pass
   * declared its outcome unknown. A late success is then noted on the attempt, for the person checking.
   */
  private async finishAttempt(
    manager: EntityManager,
    attemptId: string,
    outcome: 'succeeded' | 'failed',
    result: { error?: string; externalPostId?: string; externalUrl?: string | null },
    at: Date,
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE content_publish_attempts
          SET outcome = $2, error = $3, external_post_id = $4, external_url = $5, finished_at = $6
        WHERE id = $1 AND outcome = 'pending' RETURNING id`,
      [
        attemptId,
        outcome,
        result.error ?? null,
        result.externalPostId ?? null,
        result.externalUrl ?? null,
        at,
      ],
    );
    if (rows.length === 1) return true;
    this.logger.warn({ attemptId, outcome }, 'Publish attempt finished after its lease had ended');
    if (outcome === 'succeeded') {
      await manager.query(
        `UPDATE content_publish_attempts
            SET external_post_id = $2,
                error = left(COALESCE(error, '') || ' — the connector reported success later: post ' || $2, ${MAX_ERROR})
          WHERE id = $1`,
        [attemptId, result.externalPostId],
      );
    }
    return false;
  }
}
