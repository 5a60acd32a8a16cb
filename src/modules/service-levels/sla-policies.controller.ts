import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Authorize, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { SlaPoliciesService } from './sla-policies.service';
import {
  CreateSlaPolicyDto,
  ListSlaPoliciesQueryDto,
  ReorderSlaPoliciesDto,
  SlaPolicyDto,
  SlaPolicyListDto,
  UpdateSlaPolicyDto,
} from './sla-policy.dto';

const SlaPolicyPageDto = PageOf(SlaPolicyDto);

@ApiTags('service-levels')
@Controller('orgs/:orgId/sla-policies')
export class SlaPoliciesController {
  constructor(private readonly policies: SlaPoliciesService) {}

  @Get()
  @Authorize({ permission: 'tickets:read', pureRead: true })
  @ApiOperation({
    operationId: 'listSlaPolicies',
    summary: 'SLA policies in the order they are tried; the first whose conditions match a ticket applies',
  })
  @ApiOkResponse({ type: SlaPolicyPageDto })
  @ApiProblems(400)
  listSlaPolicies(
    @Scope() scope: DataScope,
    @Query() query: ListSlaPoliciesQueryDto,
  ): Promise<Page<SlaPolicyDto>> {
    return this.policies.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'createSlaPolicy',
    summary: 'Add a policy at the end of the order',
    description:
      'Needs the permission over the whole organization. A target of zero or fewer minutes is 400; a calendar of ' +
      'another organization is 422 `reference_not_found`.',
  })
  @ApiCreatedResponse({ type: SlaPolicyDto })
  @ApiProblems(400, 422)
  createSlaPolicy(
    @Scope() scope: DataScope,
    @Body() dto: CreateSlaPolicyDto,
  ): Promise<Versioned<SlaPolicyDto>> {
    return this.policies.create(scope, dto);
  }

  @Post('reorder')
  @HttpCode(200)
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'reorderSlaPolicies',
    summary: 'Set the order of all policies at once',
    description: 'The body lists every policy of the organization exactly once (400 otherwise).',
  })
  @ApiOkResponse({ type: SlaPolicyListDto })
  @ApiProblems(400)
  reorderSlaPolicies(
    @Scope() scope: DataScope,
    @Body() dto: ReorderSlaPoliciesDto,
  ): Promise<SlaPolicyListDto> {
    return this.policies.reorder(scope, dto);
  }

  @Get(':policyId')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({ operationId: 'getSlaPolicy', summary: 'One policy, with its ETag for a later If-Match' })
  @ApiOkWithEtag(SlaPolicyDto)
  @ApiProblems(400)
  getSlaPolicy(
    @Scope() scope: DataScope,
    @Param('policyId', uuidParam('policyId')) policyId: string,
  ): Promise<Versioned<SlaPolicyDto>> {
    return this.policies.get(scope, policyId);
  }

  @Patch(':policyId')
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'updateSlaPolicy',
    summary: 'Edit a policy; a target set to null stops being measured',
    description: 'Needs the permission over the whole organization.',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(SlaPolicyDto)
  @ApiProblems(400, 412, 422)
  updateSlaPolicy(
    @Scope() scope: DataScope,
    @Param('policyId', uuidParam('policyId')) policyId: string,
    @Body() dto: UpdateSlaPolicyDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<SlaPolicyDto>> {
    return this.policies.update(scope, policyId, dto, ifMatch);
  }

  @Delete(':policyId')
  @HttpCode(204)
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'deleteSlaPolicy',
    summary: 'Delete a policy (tickets keep the due times computed)',
  })
  @ApiProblems(400)
  async deleteSlaPolicy(
    @Scope() scope: DataScope,
    @Param('policyId', uuidParam('policyId')) policyId: string,
  ): Promise<void> {
    await this.policies.remove(scope, policyId);
  }
}
