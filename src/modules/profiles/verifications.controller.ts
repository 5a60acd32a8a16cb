import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor } from '../access/authorize.decorator';
import { DecideVerificationDto, ListVerificationsQueryDto, VerificationDto } from './verifications.dto';
import { VerificationsService } from './verifications.service';

const VerificationPageDto = PageOf(VerificationDto);

@ApiTags('verifications')
@Controller('platform/verifications')
export class VerificationsController {
  constructor(private readonly verifications: VerificationsService) {}

  @Get()
  @Authorize({ permission: 'platform:verifications:read' })
  @ApiOperation({
    operationId: 'listVerifications',
    summary: 'Real-name and enterprise verification requests (ID numbers masked)',
    description:
      'Filters: status, kind, subjectUserId, subjectOrgId. Sort: submittedAt (default, oldest first).',
  })
  @ApiOkResponse({ type: VerificationPageDto })
  @ApiProblems(400)
  listVerifications(@Query() query: ListVerificationsQueryDto): Promise<Page<VerificationDto>> {
    return this.verifications.listVerifications(query);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Authorize({ permission: 'platform:verifications:decide' })
  @ApiOperation({
    operationId: 'decideVerification',
    summary: 'Approve or reject a pending request',
    description:
      "Decides once: a request that is no longer pending answers 409 invalid_state. Updates the subject's status " +
      'and notifies the person, or the members managing the organization. A reason is required to reject.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: VerificationDto })
  @ApiProblems(400, 409)
  decideVerification(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() dto: DecideVerificationDto,
  ): Promise<VerificationDto> {
    return this.verifications.decideVerification(actor, id, dto);
  }
}
