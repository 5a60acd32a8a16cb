import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../../../platform/clock/clock';
import { PublishConnector, PublishRequest, PublishResult } from '../publish-connector';

/**
 * The default connector: publishes nothing, and records what it would have published in
 * `sandbox_publications`, so development and staging show their output without posting to anyone's
 * account. The external id is derived from the content and the attempt, so a test can predict it.
 */
@Injectable()
export class SandboxConnector implements PublishConnector {
  readonly name = 'sandbox';

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async publish(request: PublishRequest): Promise<PublishResult> {
    request.signal.throwIfAborted();
    const externalPostId = sandboxPostId(request.contentId, request.attempt);
    // One statement, committed on its own: like a platform's write, it happens whatever the job records after.
    await this.dataSource.query(
      `INSERT INTO sandbox_publications
         (content_id, attempt, account_id, platform, kind, title, body, attachments, tags, external_post_id, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)`,
      [
        request.contentId,
        request.attempt,
        request.account.id,
        request.account.platform,
        request.kind,
        request.title,
        request.body,
        JSON.stringify(request.attachments),
        request.tags,
        externalPostId,
        this.clock.now(),
      ],
    );
    return { externalPostId };
  }
}

/** `sandbox-` and 24 hex characters of SHA-256("<content id>:<attempt>"). */
export const sandboxPostId = (contentId: string, attempt: number): string =>
  `sandbox-${createHash('sha256').update(`${contentId.toLowerCase()}:${attempt}`).digest('hex').slice(0, 24)}`;
