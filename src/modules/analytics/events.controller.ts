import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { AppConfig } from '../../platform/config/app-config';
import { DomainError, ErrorCode } from '../../platform/errors';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Authorize, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  EventBatchDto,
  EventBatchQueryDto,
  EventBatchResultDto,
  EventImportResultDto,
  TrackedEventDto,
} from './event.dto';
import { EventIngestion } from './event-ingestion.service';
import { batchEvents } from './event-validation';

const EVENT_RULES =
  'Each event is checked on its own by the `TrackedEventDto` rules: `anonymousId` and/or `userId`, `name` for ' +
  '`custom` events only, `amount` (integer fen) required for `purchase` and allowed for `conversion`, ' +
  '`properties` at most 50 keys, 3 levels deep and 8 KB as JSON, `occurredAt` at most 5 minutes ahead and ' +
  "within the organization's retention window (default 400 days), and a `socialAccountId` must be an account " +
  'you may record analytics for (your own brand, or authorized to your agency for `analytics`). `channel` is ' +
  'derived from the referrer and UTM fields when absent. An `eventId` stored before, or repeated in the same ' +
  'input, is ignored and counted as a duplicate, so sending the same events again is safe.';

@ApiTags('analytics')
@ApiExtraModels(TrackedEventDto)
@Controller('orgs/:orgId/events')
export class EventsController {
  constructor(
    private readonly ingestion: EventIngestion,
    private readonly config: AppConfig,
  ) {}

  @Post('batch')
  @HttpCode(200)
  @Authorize({ permission: 'analytics:ingest' })
  @ApiOperation({
    operationId: 'ingestEventBatch',
    summary: 'Record up to 1,000 tracked events (API key or member)',
    description:
      `${EVENT_RULES} By default the valid events are stored and the refused ones listed in \`refusals\` ` +
      '(`index`, `field`, `message`); with `atomic=true` any refused event answers 400 `validation_failed` ' +
      '(fields `events[i].field`) and nothing is stored.',
  })
  @ApiBody({ type: EventBatchDto, required: true })
  @ApiOkResponse({ type: EventBatchResultDto })
  @ApiProblems(400)
  ingestEventBatch(
    @Scope() scope: DataScope,
    @Query() query: EventBatchQueryDto,
    // Typed `object` so the request pipe leaves the body as parsed; batchEvents checks the envelope.
    @Body() body: object,
  ): Promise<EventBatchResultDto> {
    return this.ingestion.ingestBatch(scope, batchEvents(body), { atomic: query.atomic === 'true' });
  }

  @Post('import')
  @HttpCode(200)
  @Authorize({ permission: 'analytics:ingest' })
  @ApiOperation({
    operationId: 'importEvents',
    summary: 'Load history: one event per line (NDJSON), streamed',
    description:
      `${EVENT_RULES} The body (\`Content-Type: application/x-ndjson\`) is read line by line and stored in ` +
      'batches of 1,000, each in its own transaction, up to `ANALYTICS_IMPORT_LIMIT_BYTES` (default 2 GiB, ' +
      'beyond the usual body limit; 413 past it, with the batches before it kept). Refused lines never stop ' +
      'the import; the answer counts stored, duplicate and refused lines and lists the first 20 refusals with ' +
      'their line numbers. A line longer than 64 KiB answers 400. Re-sending an interrupted import is safe.',
  })
  @ApiConsumes('application/x-ndjson')
  @ApiBody({
    required: true,
    schema: { type: 'string' },
    description: 'One JSON event per line (UTF-8); blank lines are skipped',
  })
  @ApiOkResponse({ type: EventImportResultDto })
  @ApiProblems(400, 413, 415)
  importEvents(@Scope() scope: DataScope, @Req() request: FastifyRequest): Promise<EventImportResultDto> {
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new DomainError(ErrorCode.UnsupportedMediaType, 'Send the events as application/x-ndjson');
    }
    return this.ingestion.importNdjson(scope, body, this.config.env.ANALYTICS_IMPORT_LIMIT_BYTES);
  }
}
