import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Actor } from '../access/actor';
import { CurrentActor, SignedIn } from '../access/authorize.decorator';
import { CheckResultDto, CheckTextDto } from './moderation-check.dto';
import { ModerationCheckService } from './moderation-check.service';
import { NotAnOperation } from '../../platform/audit/not-an-operation.decorator';

@ApiTags('moderation')
@Controller('moderation')
export class ModerationCheckController {
  constructor(private readonly checks: ModerationCheckService) {}

  @Post('check')
  @NotAnOperation()
  @HttpCode(200)
  @SignedIn({ allowApiKey: true })
  @ApiOperation({
    operationId: 'checkModerationText',
    summary: 'Check a text for sensitive words and personal data, without saving anything',
    description:
      'For live checking in an editor: the same findings the automatic content review produces. Each finding ' +
      'has the term, its category, severity and action, and UTF-16 offsets into the text as sent ' +
      '(`text.slice(start, end)` is `matchedText`), so a frontend can underline it. With `orgId`, the ' +
      "organization's own lexicon and policy apply too; the caller must be an active member of it (an API " +
      'key: belong to it), else 404.',
  })
  @ApiOkResponse({ type: CheckResultDto })
  @ApiProblems(400, 404)
  checkModerationText(@CurrentActor() actor: Actor, @Body() dto: CheckTextDto): Promise<CheckResultDto> {
    return this.checks.check(actor, dto);
  }
}
