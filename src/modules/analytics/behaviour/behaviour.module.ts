import { Module } from '@nestjs/common';
import { OrganizationTimeZonesModule } from '../../organizations/organization-time-zones';
import { SocialAccountAccessModule } from '../../social-accounts/social-account-access.module';
import { AnalyticsReportScope } from '../report-scope';
import { BehaviourQueries } from './behaviour-queries';
import { BehaviourReportsController } from './behaviour-reports.controller';
import { BehaviourReportsService } from './behaviour-reports.service';
import { FunnelsController } from './funnels.controller';
import { FunnelsService } from './funnels.service';
import { PathRulesController } from './path-rules.controller';
import { PathRulesService } from './path-rules.service';

/**
 * Behaviour reports of analytics: funnels (ad hoc and saved), paths with the organization's cleaning
 * rules, and retention cohorts, read from the raw events through `BehaviourQueries`.
 */
@Module({
  imports: [SocialAccountAccessModule, OrganizationTimeZonesModule],
  controllers: [BehaviourReportsController, FunnelsController, PathRulesController],
  providers: [
    BehaviourQueries,
    BehaviourReportsService,
    FunnelsService,
    PathRulesService,
    AnalyticsReportScope,
  ],
})
export class AnalyticsBehaviourModule {}
