import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotificationsService } from '../../../platform/notifications/notifications.service';
import { DueContent } from './due-content';
import { PublishTargetAccount } from './publish-connector';

export const CONTENT_PUBLISHED = 'content.published';
export const CONTENT_PUBLISH_REFUSED = 'content.publish_refused';
export const CONTENT_PUBLISH_FAILED = 'content.publish_failed';

export type PublishNotice =
  | { type: typeof CONTENT_PUBLISHED; externalPostId: string | null }
  | { type: typeof CONTENT_PUBLISH_REFUSED; reason: string; reasonCode: string }
  | { type: typeof CONTENT_PUBLISH_FAILED; error: string };

/**
 * Tells a content's owner how its publishing ended. Written through the caller's transaction into the
 * notifications outbox, so it goes out only if the outcome it describes commits.
 */
@Injectable()
export class PublishNotices {
  constructor(private readonly notifications: NotificationsService) {}

  async tell(
    manager: EntityManager,
    content: DueContent,
    account: PublishTargetAccount | null,
    notice: PublishNotice,
  ): Promise<void> {
    if (!content.ownerId) return;
    const where = account ? `@${account.handle}` : `the ${content.targetChannel ?? 'platform'} channel`;
    const title = `"${content.title}"`;
    const data = {
      contentId: content.id,
      accountId: account?.id ?? null,
      channel: content.targetChannel,
      ...notice,
    };
    const message = (() => {
      switch (notice.type) {
        case CONTENT_PUBLISHED:
          return { title: `Published: ${title}`, body: `${title} is now published on ${where}.` };
        case CONTENT_PUBLISH_REFUSED:
          return {
            title: `Not published: ${title}`,
            body: `${title} was not published on ${where}: ${notice.reason}. Nothing was sent to the platform.`,
          };
        case CONTENT_PUBLISH_FAILED:
          return {
            title: `Publishing failed: ${title}`,
            body: `${title} could not be published on ${where}: ${notice.error}`,
          };
      }
    })();
    await this.notifications.notify(manager, {
      userIds: [content.ownerId],
      orgId: content.orgId,
      type: notice.type,
      ...message,
      data,
    });
  }
}
