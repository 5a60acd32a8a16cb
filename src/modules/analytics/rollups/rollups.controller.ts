import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { uuidParam } from '../../../platform/http/validation';
import { Authorize, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { RollupRebuilds } from './rollup-rebuilds.service';
import { RebuildRollupsDto, RollupRebuildDto } from './rollups.dto';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/rollups/rebuilds')
export class RollupsController {
  constructor(private readonly rebuilds: RollupRebuilds) {}

  @Post()
  @HttpCode(202)
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'rebuildAnalyticsRollups',
    summary: 'Recompute the rollups of a range of days from the raw events (a background job)',
    description:
      '`from` and `to` are local days of the organization (at most 1,830 days). The rebuild runs as a job; ' +
      'follow its progress with `getAnalyticsRollupRebuild`. Needs the permission over the whole organization ' +
      '(403 otherwise): rollups cover every unit.',
  })
  @ApiAcceptedResponse({ type: RollupRebuildDto })
  @ApiProblems(400)
  rebuildAnalyticsRollups(
    @Scope() scope: DataScope,
    @Body() dto: RebuildRollupsDto,
  ): Promise<RollupRebuildDto> {
    return this.rebuilds.request(scope, dto);
  }

  @Get(':rebuildId')
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'getAnalyticsRollupRebuild',
    summary: 'A rollup rebuild with its progress (days done of days total)',
  })
  @ApiOkResponse({ type: RollupRebuildDto })
  @ApiProblems(400)
  getAnalyticsRollupRebuild(
    @Scope() scope: DataScope,
    @Param('rebuildId', uuidParam('rebuildId')) rebuildId: string,
  ): Promise<RollupRebuildDto> {
    return this.rebuilds.get(scope, rebuildId);
  }
}
