import { Module } from '@nestjs/common';
import { AuditModule } from '../../platform/audit/audit.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CarePlansController, CareTasksController } from './care.controller';
import { CareService } from './care.service';
import { CareTasksJob } from './care-tasks.job';
import { CustomerDirectory } from './customer-directory';
import { CustomerHistory } from './customer-history';
import { CustomersController } from './customers.controller';
import { CustomersService } from './customers.service';
import { SegmentsController } from './segments.controller';
import { SegmentsService } from './segments.service';

/**
 * Customer profiles (CRM): profiles and contact points, segments, merges, regular-contact care, and a
 * history other modules contribute to. Other modules use CustomerDirectory (find or create a profile,
 * summaries) and CustomerHistory (register a history source) and never read the customers tables.
 */
@Module({
  imports: [AuditModule, AnalyticsModule],
  controllers: [CustomersController, SegmentsController, CarePlansController, CareTasksController],
  providers: [
    CustomerDirectory,
    CustomerHistory,
    CustomersService,
    SegmentsService,
    CareService,
    CareTasksJob,
  ],
  exports: [CustomerDirectory, CustomerHistory],
})
export class CustomersModule {}
