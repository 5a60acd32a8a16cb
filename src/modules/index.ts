import { AccessModule } from './access/access.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { ContentModule } from './content/content.module';
import { ContentPublishingModule } from './content/publishing/content-publishing.module';
import { CustomersModule } from './customers/customers.module';
import { ModerationModule } from './moderation/moderation.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { ProfilesModule } from './profiles/profiles.module';
import { ServiceLevelsModule } from './service-levels/service-levels.module';
import { ServiceReportsModule } from './service-reports/service-reports.module';
import { CredentialsModule } from './social-accounts/credentials/credentials.module';
import { SocialAccountsModule } from './social-accounts/social-accounts.module';
import { UsageRecordsModule } from './social-accounts/usage-records/usage-records.module';
import { TicketsModule } from './tickets/tickets.module';
import { TicketSlasModule } from './ticket-slas/ticket-slas.module';

/** Every feature module, in one list the app module imports. */
export const FEATURE_MODULES = [
  AccessModule,
  AuthModule,
  OrganizationsModule,
  ApiKeysModule,
  ProfilesModule,
  SocialAccountsModule,
  CredentialsModule,
  UsageRecordsModule,
  ModerationModule,
  ContentModule,
  ContentPublishingModule,
  CustomersModule,
  ServiceLevelsModule,
  TicketsModule,
  AnalyticsModule,
  TicketSlasModule,
  ServiceReportsModule,
];
