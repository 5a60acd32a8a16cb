import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { ReportAnswer, ReportEndpoint } from '../../../platform/reports';
import { Authorize, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { AudienceQueryDto, AudienceReportDto } from './audience.dto';
import { AudienceService } from './audience.service';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/reports')
export class AudienceController {
  constructor(private readonly audience: AudienceService) {}

  @Get('audience')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getAnalyticsAudience',
    summary: 'The audience by age band, gender, region, device or interest, from portraits and from events',
    description:
      'Portraits: the mean share per account-day of the imported portraits of the accounts your scope reads ' +
      'analytics for (days `from`–`to`). Events: distinct people per value of `deviceType` (device) or of the ' +
      'event property `ageBand`, `gender`, `region`, `interests` (a string or an array of strings).',
  })
  @ReportEndpoint(AudienceReportDto, 'The distribution from both sources')
  @ApiProblems(400)
  getAnalyticsAudience(
    @Scope() scope: DataScope,
    @Query() query: AudienceQueryDto,
  ): Promise<ReportAnswer<AudienceReportDto>> {
    return this.audience.report(scope, query);
  }
}
