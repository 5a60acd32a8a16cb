import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Page } from '../../../platform/http/pagination';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { uuidParam } from '../../../platform/http/validation';
import { Authorize, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { UsageChainVerifier } from './usage-chain-verifier.service';
import {
  ListUsageRecordsQueryDto,
  UsageChainVerificationDto,
  UsageRecordDto,
  UsageRecordFiltersDto,
  UsageRecordPageDto,
} from './usage-records.dto';
import { UsageRecordsReader } from './usage-records-reader.service';

const WHO_SEES_WHAT =
  'The brand that owns the account sees every record; an agency operating it under an active ' +
  "authorization (and an assignment within the caller's scope) sees the records that concern it.";

@ApiTags('usage-records')
@Controller('orgs/:orgId/social-accounts/:accountId/usage-records')
@ApiParam({ name: 'orgId', type: String, format: 'uuid' })
@ApiParam({ name: 'accountId', type: String, format: 'uuid' })
export class UsageRecordsController {
  constructor(
    private readonly reader: UsageRecordsReader,
    private readonly verifier: UsageChainVerifier,
  ) {}

  @Get()
  @Authorize({ permission: 'usage-records:read' })
  @ApiOperation({
    operationId: 'listUsageRecords',
    summary: "List an account's usage records (账号使用记录), newest first",
    description:
      `${WHO_SEES_WHAT} Cursor pagination (\`limit\` 1–100, default 20), ordered by \`seq\` descending; ` +
      'filters combine with AND and `from`/`to` are inclusive. Each record carries the hashes of the ' +
      'per-account chain (see docs/social-accounts.md).',
  })
  @ApiOkResponse({ type: UsageRecordPageDto })
  @ApiProblems(400)
  listUsageRecords(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Query() query: ListUsageRecordsQueryDto,
  ): Promise<Page<UsageRecordDto>> {
    return this.reader.list(scope, accountId, query);
  }

  @Get('export')
  @Authorize({ permission: 'usage-records:read' })
  @ApiOperation({
    operationId: 'exportUsageRecords',
    summary: "Download an account's usage records as CSV, oldest first",
    description:
      `${WHO_SEES_WHAT} Same filters as the list. Streamed as \`text/csv; charset=utf-8\` (with a byte ` +
      'order mark) with one row per record in chain order and the columns needed to recompute every hash ' +
      'independently; cells a spreadsheet would run as a formula get a leading apostrophe. The format and ' +
      'the recomputation are specified in docs/social-accounts.md.',
  })
  @ApiOkResponse({ description: 'The CSV file', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  async exportUsageRecords(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Query() query: UsageRecordFiltersDto,
  ): Promise<StreamableFile> {
    const { filename, stream } = await this.reader.export(scope, accountId, query);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${filename}"`,
    });
  }

  @Get('verify')
  @Authorize({ permission: 'usage-records:read' })
  @ApiOperation({
    operationId: 'verifyUsageRecords',
    summary: "Verify an account's usage-record hash chain and its latest signed checkpoint",
    description:
      'Recomputes every hash of the whole chain from the stored records and checks the latest signed ' +
      'checkpoint. Always 200 when the check ran: the verdict is `status` (`ok`, `broken` with ' +
      '`firstBadRecord`, or `truncated`). Available to the brand and to an agency operating the account; ' +
      'the verdict covers the whole chain and reveals no record contents.',
  })
  @ApiOkResponse({ type: UsageChainVerificationDto })
  @ApiProblems(400)
  verifyUsageRecords(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
  ): Promise<UsageChainVerificationDto> {
    return this.verifier.verify(scope, accountId);
  }
}
