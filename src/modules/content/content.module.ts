import { Module } from '@nestjs/common';
import { ModerationModule } from '../moderation/moderation.module';
import { SocialAccountAccessModule } from '../social-accounts/social-account-access.module';
import { ContentPublishingModule } from './publishing/content-publishing.module';
import { AutomaticReview } from './automatic-review';
import { ContentTargets } from './content-targets';
import { ContentsController } from './contents.controller';
import { ContentsService } from './contents.service';
import { EditorialService } from './editorial.service';
import {
  PlatformContentsController,
  PlatformContentSearchController,
  PlatformRestoreRequestsController,
} from './platform-contents.controller';
import { PublicContentsController } from './public-contents.controller';
import { PublicContentsService } from './public-contents.service';
import { RemovalsService } from './removals.service';
import { ReviewTaskQueue } from './review-task-queue';
import { OrganizationReviewTasksController, PlatformReviewTasksController } from './review-tasks.controller';
import { ReviewTasksService } from './review-tasks.service';

/**
 * Content: drafting and revisions, automatic review (through the moderation module), the organization's
 * and the platform's manual review, editor powers, removal and restore, and the public listing.
 * Publishing to targets is the ContentPublishingModule's; this module asks it to retry and to run early.
 */
@Module({
  imports: [ModerationModule, SocialAccountAccessModule, ContentPublishingModule],
  controllers: [
    ContentsController,
    OrganizationReviewTasksController,
    PlatformReviewTasksController,
    PlatformContentSearchController,
    PlatformContentsController,
    PlatformRestoreRequestsController,
    PublicContentsController,
  ],
  providers: [
    ContentsService,
    ContentTargets,
    AutomaticReview,
    ReviewTaskQueue,
    ReviewTasksService,
    RemovalsService,
    EditorialService,
    PublicContentsService,
  ],
})
export class ContentModule {}
