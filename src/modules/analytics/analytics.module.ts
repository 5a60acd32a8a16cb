import { Module } from '@nestjs/common';
import { AccountDataController } from './account-data.controller';
import { AccountDataService } from './account-data.service';
import { AnalyticsSettingsController } from './analytics-settings.controller';
import { AnalyticsSettingsService } from './analytics-settings.service';
import { AnalyticsBehaviourModule } from './behaviour/behaviour.module';
import { SocialAccountAccessModule } from '../social-accounts/social-account-access.module';
import { EventIngestion } from './event-ingestion.service';
import { EventPartitions } from './event-partitions';
import { EventRetentionJob } from './event-retention.job';
import { EventStore } from './event-store';
import { EventsController } from './events.controller';
import { AnalyticsReportScope } from './report-scope';
import { AnalyticsReportsController } from './reports/analytics-reports.controller';
import { AnalyticsReports } from './reports/analytics-reports.service';
import { RollupBuilder } from './rollups/rollup-builder';
import { RollupRebuilds } from './rollups/rollup-rebuilds.service';
import { RollupJob } from './rollups/rollup.job';
import { RollupsController } from './rollups/rollups.controller';
import { INSIGHTS_CONTROLLERS, INSIGHTS_PROVIDERS } from './insights';
import { OrganizationTimeZonesModule } from '../organizations/organization-time-zones';

/**
 * Analytics: event ingestion (batch and NDJSON import) into a month-partitioned event store, the job
 * that keeps its partitions and retention, and social accounts' imported platform data per day. Report code reads the events through EventStore.
 */
@Module({
  imports: [SocialAccountAccessModule, OrganizationTimeZonesModule, AnalyticsBehaviourModule],
  controllers: [
    EventsController,
    AccountDataController,
    AnalyticsSettingsController,
    RollupsController,
    AnalyticsReportsController,
    ...INSIGHTS_CONTROLLERS,
  ],
  providers: [
    AccountDataService,
    AnalyticsSettingsService,
    EventPartitions,
    EventStore,
    EventIngestion,
    EventRetentionJob,
    AnalyticsReportScope,
    RollupBuilder,
    RollupRebuilds,
    RollupJob,
    AnalyticsReports,
    ...INSIGHTS_PROVIDERS,
  ],
  exports: [EventStore, AccountDataService, AnalyticsReportScope, RollupBuilder],
})
export class AnalyticsModule {}
