import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Page, PageQueryDto } from '../../../platform/http/pagination';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { uuidParam } from '../../../platform/http/validation';
import { Authorize, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { PublishAttemptDto, PublishAttemptPageDto } from './publish-attempts.dto';
import { PublishAttemptsReader } from './publish-attempts.service';

@ApiTags('content-publishing')
@Controller('orgs/:orgId/contents/:contentId/publish-attempts')
@ApiParam({ name: 'orgId', type: String, format: 'uuid' })
@ApiParam({ name: 'contentId', type: String, format: 'uuid' })
export class PublishAttemptsController {
  constructor(private readonly attempts: PublishAttemptsReader) {}

  @Get()
  @Authorize({ permission: 'content:read' })
  @ApiOperation({
    operationId: 'listPublishAttempts',
    summary: "List a content's publish attempts, newest first",
    description:
      'Every attempt to publish the content since it was created: the connector, the outcome (`pending` ' +
      'while the platform is being called, then `succeeded`, `failed` or `refused`), the error, and the ' +
      "platform's post id. Cursor pagination (`limit` 1–100, default 20). Content outside the caller's " +
      'scope answers 404.',
  })
  @ApiOkResponse({ type: PublishAttemptPageDto })
  @ApiProblems(400)
  listPublishAttempts(
    @Scope() scope: DataScope,
    @Param('contentId', uuidParam('contentId')) contentId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<PublishAttemptDto>> {
    return this.attempts.list(scope, contentId, query);
  }
}
