import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DueContent, DueContentRow, PublishClaim, toDueContent } from './due-content';
import { PublishConnector, PublishError } from './publish-connector';
import { PublishConnectors } from './publish-connectors';
import { PublishEligibility } from './publish-eligibility';
import { PublishOutcome, PublishOutcomes } from './publish-outcomes';
import { PublishPolicy } from './publish-policy';

/** The first step on one due content: either settled on the spot, or claimed for a connector call. */
export type ClaimStep =
  { kind: 'settled'; outcome: PublishOutcome } | { kind: 'claimed'; claim: PublishClaim };

/**
 * Takes the next due content in a short transaction of its own. `FOR UPDATE SKIP LOCKED` lets replicas
 * take different rows; the lease written before commit (next_publish_attempt_at pushed out) keeps every
 * other pass away from the row until the attempt is recorded or its lease ends. What needs no call to a
 * platform (an unknown outcome, a refusal, a platform channel) is settled in the same transaction.
 */
@Injectable()
export class PublishClaims {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly eligibility: PublishEligibility,
    private readonly connectors: PublishConnectors,
    private readonly outcomes: PublishOutcomes,
    private readonly policy: PublishPolicy,
  ) {}

  /** Null when nothing is due. */
  next(): Promise<ClaimStep | null> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const content = await this.lockNextDue(manager, now);
      if (!content) return null;
      return this.claim(manager, content, now);
    });
  }

  private async claim(manager: EntityManager, content: DueContent, now: Date): Promise<ClaimStep> {
    const settled = (outcome: PublishOutcome): ClaimStep => ({ kind: 'settled', outcome });

    if (content.targetKind === 'platform') {
      return content.pendingAttempt
        ? settled(await this.outcomes.outcomeUnknown(manager, content, null, now))
        : settled(await this.outcomes.publishedInternally(manager, content, now));
    }

    const eligibility = await this.eligibility.check(manager, {
      accountId: content.targetAccountId!,
      publishingOrgId: content.orgId,
    });
    const { account } = eligibility;
    if (content.pendingAttempt)
      return settled(await this.outcomes.outcomeUnknown(manager, content, account, now));
    if (!eligibility.eligible)
      return settled(await this.outcomes.refused(manager, content, account, eligibility, now));

    let connector: PublishConnector;
    try {
      connector = this.connectors.for(account.platform);
    } catch (error) {
      if (!(error instanceof PublishError)) throw error;
      return settled(await this.outcomes.failedBeforeCall(manager, content, account, error, now));
    }

    // The claim itself: committed before the connector is called, so a crash leaves a trace.
    const attempt = content.publishAttempts + 1;
    const [{ id }]: { id: string }[] = await manager.query(
      `INSERT INTO content_publish_attempts (content_id, attempt, connector, outcome, created_at)
       VALUES ($1, $2, $3, 'pending', $4) RETURNING id`,
      [content.id, attempt, connector.name, now],
    );
    await manager.query(
      `UPDATE contents SET publish_attempts = $2, next_publish_attempt_at = $3 WHERE id = $1`,
      [content.id, attempt, this.policy.leaseEnd(now)],
    );
    return { kind: 'claimed', claim: { content, attemptId: id, attempt, connector, account } };
  }

  private async lockNextDue(manager: EntityManager, now: Date): Promise<DueContent | null> {
    const [row]: DueContentRow[] = await manager.query(
      `SELECT c.id, c.org_id, c.owner_id, c.kind, c.title, c.body, c.tags, c.attachments, c.target_kind,
              c.target_channel, c.target_account_id, c.revision, c.publish_attempts,
              p.id AS pending_id, p.attempt AS pending_attempt
         FROM contents c
         LEFT JOIN content_publish_attempts p ON p.content_id = c.id AND p.outcome = 'pending'
        WHERE c.state = 'approved' AND c.deleted_at IS NULL
          AND (c.publish_at IS NULL OR c.publish_at <= $1)
          AND (c.next_publish_attempt_at IS NULL OR c.next_publish_attempt_at <= $1)
        ORDER BY COALESCE(c.next_publish_attempt_at, c.publish_at, c.state_changed_at), c.id
        LIMIT 1
        FOR UPDATE OF c SKIP LOCKED`,
      [now],
    );
    return row ? toDueContent(row) : null;
  }
}
