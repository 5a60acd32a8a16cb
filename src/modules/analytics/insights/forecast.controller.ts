import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { ReportAnswer, ReportEndpoint } from '../../../platform/reports';
import { Authorize, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { ForecastQueryDto, ForecastReportDto } from './forecast.dto';
import { ForecastService } from './forecast.service';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/reports')
export class ForecastController {
  constructor(private readonly forecasts: ForecastService) {}

  @Get('forecast')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getAnalyticsForecast',
    summary: 'Forecast a daily metric for the next days, with a 95 % prediction interval and past anomalies',
    description:
      'History: `from`–`to` (local days; default the 56 days up to yesterday; at least 7, at most 366). Additive ' +
      'Holt-Winters with a weekly season from 14 days of history, Holt’s linear trend below; parameters by ' +
      'least one-step squared error. A past day outside its one-step interval is an anomaly. Counts the events ' +
      'and accounts your scope reads analytics for; an unknown metric is 400 on `metric`.',
  })
  @ReportEndpoint(ForecastReportDto, 'The history, fitted values, forecast and anomalies')
  @ApiProblems(400)
  getAnalyticsForecast(
    @Scope() scope: DataScope,
    @Query() query: ForecastQueryDto,
  ): Promise<ReportAnswer<ForecastReportDto>> {
    return this.forecasts.forecast(scope, query);
  }
}
