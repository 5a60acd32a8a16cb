import { Body, Controller, Get, Headers, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { AnalyticsSettingsDto, ReplaceAnalyticsSettingsDto } from './analytics-settings.dto';
import { AnalyticsSettingsService } from './analytics-settings.service';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/settings')
export class AnalyticsSettingsController {
  constructor(private readonly settings: AnalyticsSettingsService) {}

  @Get()
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getAnalyticsSettings',
    summary: "The organization's analytics settings (the defaults until it saves its own), with its ETag",
  })
  @ApiOkWithEtag(AnalyticsSettingsDto)
  getAnalyticsSettings(@Scope() scope: DataScope): Promise<Versioned<AnalyticsSettingsDto>> {
    return this.settings.get(scope);
  }

  @Put()
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'replaceAnalyticsSettings',
    summary: "Replace the organization's analytics settings: the retention window of its events",
    description:
      'Needs the permission over the whole organization (403 otherwise). Events older than the window are ' +
      'refused from the next request on and deleted by the hourly partition job.',
  })
  @ApiOkWithEtag(AnalyticsSettingsDto)
  @ApiIfMatch()
  @ApiProblems(400, 412)
  replaceAnalyticsSettings(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: ReplaceAnalyticsSettingsDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<AnalyticsSettingsDto>> {
    return this.settings.replace(actor, scope, dto, ifMatch);
  }
}
