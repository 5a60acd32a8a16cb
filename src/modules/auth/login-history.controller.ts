import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PageQueryDto } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Actor } from '../access/actor';
import { CurrentActor, SignedIn } from '../access/authorize.decorator';
import { LoginHistoryEntryDto, LoginHistoryPageDto } from './login-history.dto';
import { LoginHistoryService } from './login-history.service';

@ApiTags('auth')
@Controller('me')
export class LoginHistoryController {
  constructor(private readonly history: LoginHistoryService) {}

  @Get('login-history')
  @SignedIn()
  @ApiOperation({
    operationId: 'listLoginHistory',
    summary: "The signed-in user's login attempts, newest first",
    description:
      'Every attempt naming this account: time, IP, user agent, result and the reason of a failure.',
  })
  @ApiOkResponse({ type: LoginHistoryPageDto })
  @ApiProblems(400)
  async listLoginHistory(
    @CurrentActor() actor: Actor,
    @Query() query: PageQueryDto,
  ): Promise<Page<LoginHistoryEntryDto>> {
    return this.history.list(actor, query);
  }
}
