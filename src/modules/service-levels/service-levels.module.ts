import { Module } from '@nestjs/common';
import { CompiledCalendars } from './compiled-calendars';
import { ServiceCalendarsController } from './service-calendars.controller';
import { ServiceCalendarsService } from './service-calendars.service';
import { SlaPoliciesController } from './sla-policies.controller';
import { SlaPoliciesService } from './sla-policies.service';
import { SlaPolicyResolver } from './sla-policy-resolver';

/**
 * Service calendars (business hours, holidays, 调休) and SLA policies. The tickets module imports this
 * module for `SlaPolicyResolver`, and the pure `SlaClock` and working-time functions directly.
 */
@Module({
  controllers: [ServiceCalendarsController, SlaPoliciesController],
  providers: [CompiledCalendars, ServiceCalendarsService, SlaPoliciesService, SlaPolicyResolver],
  exports: [SlaPolicyResolver, CompiledCalendars],
})
export class ServiceLevelsModule {}
