import { Module } from '@nestjs/common';
import { AssignmentsController } from './assignments.controller';
import { AssignmentsService } from './assignments.service';
import { AuthorizationExpiryJob } from './authorization-expiry.job';
import { AuthorizationsController } from './authorizations.controller';
import { AuthorizationsService } from './authorizations.service';
import { SocialAccountAccessModule } from './social-account-access.module';
import { SocialAccountsController, SocialAccountSuspensionController } from './social-accounts.controller';
import { SocialAccountsService } from './social-accounts.service';
import { UsageRecordsModule } from './usage-records/usage-records.module';

/**
 * Managed social accounts, brand → agency authorizations and agency assignments. The access rule
 * (SocialAccountAccessModule) and usage records (UsageRecordsModule) are separate modules so that
 * content, ads and analytics import just those.
 */
@Module({
  imports: [SocialAccountAccessModule, UsageRecordsModule],
  controllers: [
    SocialAccountsController,
    SocialAccountSuspensionController,
    AuthorizationsController,
    AssignmentsController,
  ],
  providers: [SocialAccountsService, AuthorizationsService, AssignmentsService, AuthorizationExpiryJob],
})
export class SocialAccountsModule {}
