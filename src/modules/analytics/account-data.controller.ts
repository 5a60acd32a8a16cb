import { DayRangeQueryDto } from '../../platform/reports';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Authorize, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  AccountDataImportResultDto,
  AudiencePortraitListDto,
  DailyMetricsListDto,
  ImportAudiencePortraitsDto,
  ImportDailyMetricsDto,
} from './account-data.dto';
import { AccountDataService } from './account-data.service';

const WHO =
  'The account is your brand’s own within your data scope, or authorized to your agency with an active ' +
  '`analytics` authorization and assigned within your scope; otherwise 404 (an agency without the `analytics` ' +
  'scope: 403 `authorization_scope_missing`). Data is kept under the brand that owns the account, so the brand ' +
  'and its agencies see the same days.';
const IMPORT =
  'Idempotent on (account, day): a day imported again replaces the earlier import whole. All days of the ' +
  'request are stored in one transaction, or none (400 with the fields).';
const RANGE =
  '`from` and `to` are inclusive calendar days, at most 366 days apart (default: the 30 days up to today, ' +
  'Asia/Shanghai); answered in day order.';

@ApiTags('analytics')
@Controller('orgs/:orgId/social-accounts/:accountId')
export class AccountDataController {
  constructor(private readonly data: AccountDataService) {}

  @Post('daily-metrics')
  @HttpCode(200)
  @Authorize({ permission: 'analytics:ingest' })
  @ApiOperation({
    operationId: 'importAccountDailyMetrics',
    summary:
      'Import a social account’s daily platform metrics (followers, plays, play time, completion, interactions)',
    description: `${IMPORT} ${WHO}`,
  })
  @ApiOkResponse({ type: AccountDataImportResultDto })
  @ApiProblems(400, 403)
  importAccountDailyMetrics(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Body() dto: ImportDailyMetricsDto,
  ): Promise<AccountDataImportResultDto> {
    return this.data.importMetrics(scope, accountId, dto.days);
  }

  @Get('daily-metrics')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'listAccountDailyMetrics',
    summary: 'A social account’s daily platform metrics for a range of days',
    description: `${RANGE} ${WHO}`,
  })
  @ApiOkResponse({ type: DailyMetricsListDto })
  @ApiProblems(400, 403)
  async listAccountDailyMetrics(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Query() range: DayRangeQueryDto,
  ): Promise<DailyMetricsListDto> {
    return { items: await this.data.listMetrics(scope, accountId, range) };
  }

  @Post('audience-portraits')
  @HttpCode(200)
  @Authorize({ permission: 'analytics:ingest' })
  @ApiOperation({
    operationId: 'importAccountAudiencePortraits',
    summary:
      'Import a social account’s daily audience portrait (age band, gender, region, device, interests)',
    description:
      `${IMPORT} Each distribution lists { key, shareBp } with distinct keys and shares in basis points adding up ` +
      `to at most 10,000 (100 more allowed for the platform's rounding); a distribution left out is stored empty. ${WHO}`,
  })
  @ApiOkResponse({ type: AccountDataImportResultDto })
  @ApiProblems(400, 403)
  importAccountAudiencePortraits(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Body() dto: ImportAudiencePortraitsDto,
  ): Promise<AccountDataImportResultDto> {
    return this.data.importPortraits(scope, accountId, dto.days);
  }

  @Get('audience-portraits')
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'listAccountAudiencePortraits',
    summary: 'A social account’s daily audience portraits for a range of days',
    description: `${RANGE} ${WHO}`,
  })
  @ApiOkResponse({ type: AudiencePortraitListDto })
  @ApiProblems(400, 403)
  async listAccountAudiencePortraits(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Query() range: DayRangeQueryDto,
  ): Promise<AudiencePortraitListDto> {
    return { items: await this.data.listPortraits(scope, accountId, range) };
  }
}
