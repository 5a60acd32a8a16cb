import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../../platform/errors';
import { JobsService } from '../../../platform/jobs/jobs.service';
import { Actor } from '../../access/actor';
import { recordContentEvent } from '../content-events';
import { assertTransition, ContentState } from '../content-state';
import { CONTENT_PUBLISH_JOB } from './content-publish.job';

/**
 * What the content module asks of publishing. Access checks (the caller's scope on the content, the
 * account access rule with the `publish` scope) stay with the content module, which calls `retry` and
 * `isPublishing` inside its own transaction, and `requestRun` once that transaction has committed.
 */
@Injectable()
export class ContentPublisher {
  private readonly logger = new Logger('ContentPublishing');

  constructor(
    private readonly clock: Clock,
    private readonly jobs: JobsService,
  ) {}

  /**
   * Asks for a publish pass now rather than at the next minute, e.g. right after content without
   * `publish_at` was approved or retried. Call it after the transaction commits (a pass started before
   * would not see the change); the every-minute schedule covers a request that is lost.
   */
  async requestRun(): Promise<void> {
    try {
      await this.jobs.send(CONTENT_PUBLISH_JOB);
    } catch (error) {
      // The change is committed already; the schedule publishes it within a minute anyway.
      this.logger.warn({ err: error }, 'Could not queue a publish pass');
    }
  }

  /**
   * `publish_failed` → `approved`, with the attempt count reset: the job picks it up on its next pass
   * (at once, or at `publish_at` if that is still ahead). 404 when the content does not exist (or is
   * deleted), 409 `invalid_state` from any other state. Records the history event with the actor.
   */
  async retry(manager: EntityManager, contentId: string, actor: Actor | null): Promise<void> {
    const [row]: { org_id: string; state: ContentState; revision: number }[] = await manager.query(
      `SELECT org_id, state, revision FROM contents WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
      [contentId],
    );
    if (!row) throw DomainError.notFound('Content');
    // Only a failed publish is retried here (draft → approved is an edge too, but it means review).
    if (row.state !== 'publish_failed') {
      throw new DomainError(ErrorCode.InvalidState, `Only content in state "publish_failed" can be retried`, {
        extensions: { currentState: row.state },
      });
    }
    assertTransition(row.state, 'approved');
    const now = this.clock.now();
    await manager.query(
      `UPDATE contents
          SET state = 'approved', state_changed_at = $2, publish_attempts = 0, next_publish_attempt_at = NULL,
              last_publish_error = NULL, updated_at = $2, version = version + 1
        WHERE id = $1`,
      [contentId, now],
    );
    await recordContentEvent(
      manager,
      {
        contentId,
        orgId: row.org_id,
        from: 'publish_failed',
        to: 'approved',
        action: 'publish.retry',
        actor,
        revision: row.revision,
      },
      now,
    );
  }

  /**
   * True while an attempt is in flight (claimed, not yet recorded). The content module must refuse to
   * edit, withdraw or delete such content (409): the platform may be receiving this very revision.
   */
  async isPublishing(manager: EntityManager, contentId: string): Promise<boolean> {
    const [row]: { publishing: boolean }[] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM content_publish_attempts WHERE content_id = $1 AND outcome = 'pending') AS publishing`,
      [contentId],
    );
    return row.publishing;
  }
}
