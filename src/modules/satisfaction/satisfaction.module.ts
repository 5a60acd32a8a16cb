import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { OrganizationTimeZonesModule } from '../organizations/organization-time-zones';
import { TicketsModule } from '../tickets/tickets.module';
import { CsatReportService } from './csat-report.service';
import { PublicSurveysController, SatisfactionController } from './satisfaction.controller';
import { SatisfactionSurveys } from './satisfaction-surveys.service';
import { SurveyHistorySource } from './survey-history';
import { SurveyTokens } from './survey-tokens';

/**
 * Satisfaction surveys (issue 14): a survey on every ticket resolution, sent through the ticket's
 * channel connector, answered once through a public link; low scores open a follow-up for the unit's
 * supervisors; members read the answers; the CSAT service report; surveys in the customer history.
 */
@Module({
  imports: [TicketsModule, CustomersModule, OrganizationTimeZonesModule],
  controllers: [PublicSurveysController, SatisfactionController],
  providers: [SatisfactionSurveys, SurveyTokens, CsatReportService, SurveyHistorySource],
})
export class SatisfactionModule {}
