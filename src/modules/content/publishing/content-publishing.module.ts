import { Module } from '@nestjs/common';
import { CredentialsModule } from '../../social-accounts/credentials/credentials.module';
import { SocialAccountAccessModule } from '../../social-accounts/social-account-access.module';
import { UsageRecordsModule } from '../../social-accounts/usage-records/usage-records.module';
import { AccountTokenStore } from './account-token-store';
import { ContentPublishJob } from './content-publish.job';
import { ContentPublisher } from './content-publisher';
import { DouyinConnector } from './douyin/douyin.connector';
import { DouyinOpenApi } from './douyin/douyin-open-api';
import { DouyinTokens } from './douyin/douyin-tokens';
import { MediaFetcher } from './media-fetcher';
import { MediaUrlPolicy } from './media-url-policy';
import { PublishAttemptsController } from './publish-attempts.controller';
import { PublishAttemptsReader } from './publish-attempts.service';
import { PublishClaims } from './publish-claims';
import { PublishConnectors } from './publish-connectors';
import { PublishEligibility } from './publish-eligibility';
import { PublishNotices } from './publish-notices';
import { PublishOutcomes } from './publish-outcomes';
import { PublishPolicy } from './publish-policy';
import { SandboxConnector } from './sandbox/sandbox.connector';

/**
 * Publishing approved content to its target (docs/content-publishing.md): the every-minute job,
 * the connectors (sandbox by default, Douyin), and `GET …/contents/{id}/publish-attempts`. The content
 * module imports it for ContentPublisher (retry, in-flight check). Tokens are sealed by the vault's own
 * CredentialSealer, exported by the CredentialsModule.
 */
@Module({
  imports: [UsageRecordsModule, CredentialsModule, SocialAccountAccessModule],
  controllers: [PublishAttemptsController],
  providers: [
    PublishPolicy,
    PublishEligibility,
    PublishNotices,
    PublishOutcomes,
    PublishClaims,
    ContentPublishJob,
    ContentPublisher,
    PublishAttemptsReader,
    PublishConnectors,
    SandboxConnector,
    AccountTokenStore,
    MediaFetcher,
    MediaUrlPolicy,
    DouyinOpenApi,
    DouyinTokens,
    DouyinConnector,
  ],
  exports: [ContentPublisher],
})
export class ContentPublishingModule {}
