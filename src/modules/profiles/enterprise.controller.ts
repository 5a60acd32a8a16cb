import { Body, Controller, Get, Headers, Param, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor } from '../access/authorize.decorator';
import { EnterpriseInfoDto, UpdateEnterpriseDto } from './enterprise.dto';
import { EnterpriseService } from './enterprise.service';
import { ApiIfMatch, ApiOkWithEtag } from '../../platform/http/etag';

@ApiTags('profiles')
@ApiParam({ name: 'orgId', format: 'uuid' })
@Controller('orgs/:orgId/enterprise')
export class EnterpriseController {
  constructor(private readonly enterprise: EnterpriseService) {}

  @Get()
  @Authorize({ permission: 'org:read' })
  @ApiOperation({
    operationId: 'getEnterpriseInfo',
    summary: "The organization's enterprise information and its verification status",
    description: 'Before anything is saved every field is null and the status `unverified`.',
  })
  @ApiOkWithEtag(EnterpriseInfoDto)
  @ApiProblems(400, 422)
  async getEnterpriseInfo(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnterpriseInfoDto> {
    const { body, etag } = await this.enterprise.getEnterpriseInfo(actor, orgId);
    reply.header('ETag', etag);
    return body;
  }

  @Put()
  @Authorize({ permission: 'org:manage' })
  @ApiOperation({
    operationId: 'updateEnterpriseInfo',
    summary: 'Replace the enterprise information of an agency or brand organization',
    description:
      'A new company name or credit code, or saving while unverified or rejected, sets the status to `pending` ' +
      'and queues a verification request. The platform organization has none (422).',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(EnterpriseInfoDto)
  @ApiProblems(400, 409, 412, 422)
  async updateEnterpriseInfo(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Body() dto: UpdateEnterpriseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnterpriseInfoDto> {
    const { body, etag } = await this.enterprise.updateEnterpriseInfo(actor, orgId, dto, ifMatch);
    reply.header('ETag', etag);
    return body;
  }
}
