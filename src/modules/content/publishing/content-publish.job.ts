import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { JobsService } from '../../../platform/jobs/jobs.service';
import { PublishClaim } from './due-content';
import { PublishClaims } from './publish-claims';
import { PublishError, PublishResult } from './publish-connector';
import { PublishOutcome, PublishOutcomes } from './publish-outcomes';
import { PublishPolicy } from './publish-policy';

export const CONTENT_PUBLISH_JOB = 'content.publish-due';

/** Contents handled per run at most; a run that reaches it leaves the rest to the next minute. */
const MAX_PER_RUN = 200;

export type PublishRunSummary = Record<PublishOutcome, number>;

/**
 * Publishes due approved content, every minute. At most once per content, across replicas and crashes:
 *
 * 1. claim (PublishClaims): a short transaction locks one due row (SKIP LOCKED), inserts a `pending`
 *    attempt and pushes the row's next_publish_attempt_at out by the lease; it commits before anything
 *    leaves the process;
 * 2. the connector is called outside any transaction, stopped before the lease ends;
 * 3. the outcome is recorded in a second transaction (PublishOutcomes).
 *
 * A crash between 1 and 3 leaves a pending attempt; once its lease ends the next pass finds it and ends
 * the content in `publish_failed` ("outcome unknown") instead of calling the platform again.
 */
@Injectable()
export class ContentPublishJob implements OnModuleInit {
  private readonly logger = new Logger('ContentPublishing');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobsService,
    private readonly claims: PublishClaims,
    private readonly outcomes: PublishOutcomes,
    private readonly policy: PublishPolicy,
  ) {}

  onModuleInit(): void {
    this.jobs.register(CONTENT_PUBLISH_JOB, () => this.runDue().then(() => undefined), {
      pollingIntervalSeconds: 30,
      cron: '* * * * *',
    });
  }

  /** One pass over everything due now; returns how each content ended. */
  async runDue(): Promise<PublishRunSummary> {
    const summary: PublishRunSummary = { published: 0, retrying: 0, failed: 0, refused: 0, late: 0 };
    for (let handled = 0; handled < MAX_PER_RUN; handled += 1) {
      const step = await this.claims.next();
      if (!step) break;
      const outcome = step.kind === 'settled' ? step.outcome : await this.publish(step.claim);
      summary[outcome] += 1;
    }
    if (Object.values(summary).some((n) => n > 0)) this.logger.log({ summary }, 'Publish pass done');
    return summary;
  }

  private async publish(claim: PublishClaim): Promise<PublishOutcome> {
    const { content } = claim;
    let result: PublishResult;
    try {
      result = await claim.connector.publish({
        contentId: content.id,
        attempt: claim.attempt,
        kind: content.kind,
        title: content.title,
        body: content.body,
        tags: content.tags,
        attachments: content.attachments,
        account: claim.account,
        signal: AbortSignal.timeout(this.policy.connectorBudgetMs),
      });
    } catch (error) {
      const failure = asPublishError(error);
      if (!(error instanceof PublishError)) {
        this.logger.error(
          { err: error, contentId: content.id, connector: claim.connector.name },
          'Connector failed unexpectedly',
        );
      }
      return this.dataSource.transaction((manager) =>
        this.outcomes.failed(manager, claim, failure, this.clock.now()),
      );
    }
    return this.dataSource.transaction((manager) =>
      this.outcomes.succeeded(manager, claim, result, this.clock.now()),
    );
  }
}

/**
 * A connector's own failures are PublishErrors. Anything else is a defect whose effect on the platform
 * is unknown (it may have struck after the post was created), so it is not retried.
 */
function asPublishError(error: unknown): PublishError {
  if (error instanceof PublishError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PublishError(`Unexpected connector error: ${message}`, false, 'connector.unexpected');
}
