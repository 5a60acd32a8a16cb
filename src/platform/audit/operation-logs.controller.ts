import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authorize, Scope } from '../../modules/access/authorize.decorator';
import { DataScope } from '../../modules/access/data-scope';
import { Page } from '../http/pagination';
import { ApiProblems } from '../http/problem.dto';
import { ListOperationLogsQueryDto, OperationLogDto, OperationLogPageDto } from './operation-logs.dto';
import { OperationLogsService } from './operation-logs.service';

@ApiTags('operation-logs')
@Controller('orgs/:orgId/operation-logs')
export class OperationLogsController {
  constructor(private readonly operationLogs: OperationLogsService) {}

  @Get()
  @Authorize({ permission: 'operation-logs:read', pureRead: true })
  @ApiOperation({
    operationId: 'listOperationLogs',
    summary: "List the organization's operation log, newest first",
    description:
      'Every mutating request made in the organization, with who made it (user or API key), the action ' +
      '(operationId), its target, the result and status, IP, user agent and request id. Cursor pagination ' +
      '(`limit` 1–100, default 20); filters combine with AND; `from`/`to` are inclusive.',
  })
  @ApiParam({ name: 'orgId', type: String, format: 'uuid' })
  @ApiOkResponse({ type: OperationLogPageDto })
  @ApiProblems(400)
  listOperationLogs(
    @Scope() scope: DataScope,
    @Query() query: ListOperationLogsQueryDto,
  ): Promise<Page<OperationLogDto>> {
    return this.operationLogs.list(scope, query);
  }
}
