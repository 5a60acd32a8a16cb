import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf, PageQueryDto } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { CustomerDto, SegmentMembersQueryDto } from './customer.dto';
import { CustomersService } from './customers.service';
import { CreateSegmentDto, SegmentDto, UpdateSegmentDto } from './segment.dto';
import { SegmentsService } from './segments.service';

const SegmentPageDto = PageOf(SegmentDto);
const SegmentMemberPageDto = PageOf(CustomerDto);
const ORG_WIDE =
  'Segments are organization-wide: changing one needs `customers:manage` with organization scope.';

@ApiTags('customers')
@Controller('orgs/:orgId/customer-segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly customers: CustomersService,
  ) {}

  @Get()
  @Authorize({ permission: 'customers:read', pureRead: true })
  @ApiOperation({ operationId: 'listCustomerSegments', summary: "The organization's segments, newest first" })
  @ApiOkResponse({ type: SegmentPageDto })
  @ApiProblems(400)
  listCustomerSegments(@Scope() scope: DataScope, @Query() query: PageQueryDto): Promise<Page<SegmentDto>> {
    return this.segments.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'createCustomerSegment',
    summary: 'Define a segment by a rule',
    description: ORG_WIDE,
  })
  @ApiCreatedResponse({ type: SegmentDto })
  @ApiProblems(400, 409)
  createCustomerSegment(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateSegmentDto,
  ): Promise<Versioned<SegmentDto>> {
    return this.segments.create(actor, scope, dto);
  }

  @Get(':segmentId')
  @Authorize({ permission: 'customers:read' })
  @ApiOperation({ operationId: 'getCustomerSegment', summary: 'One segment, with its ETag' })
  @ApiOkWithEtag(SegmentDto)
  @ApiProblems(400)
  getCustomerSegment(
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
  ): Promise<Versioned<SegmentDto>> {
    return this.segments.get(scope, segmentId);
  }

  @Patch(':segmentId')
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({
    operationId: 'updateCustomerSegment',
    summary: 'Rename a segment or change its rule',
    description: ORG_WIDE,
  })
  @ApiIfMatch()
  @ApiOkWithEtag(SegmentDto)
  @ApiProblems(400, 409, 412)
  updateCustomerSegment(
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
    @Body() dto: UpdateSegmentDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<SegmentDto>> {
    return this.segments.update(scope, segmentId, dto, ifMatch);
  }

  @Delete(':segmentId')
  @HttpCode(204)
  @Authorize({ permission: 'customers:manage' })
  @ApiOperation({ operationId: 'deleteCustomerSegment', summary: 'Delete a segment', description: ORG_WIDE })
  @ApiProblems(400)
  async deleteCustomerSegment(
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
  ): Promise<void> {
    await this.segments.remove(scope, segmentId);
  }

  @Get(':segmentId/members')
  @Authorize({ permission: 'customers:read' })
  @ApiOperation({
    operationId: 'listCustomerSegmentMembers',
    summary: 'Customers matching the rule now, within your scope, newest first, masked',
    description:
      '`unmasked=true` shows phones and emails in clear for the members also within your `customers:read-pii` ' +
      "scope (each item's `masked` says which; 403 `permission_denied` when you hold it nowhere); each member " +
      'shown in clear is recorded in the operation log (`listCustomerSegmentMembersUnmasked`).',
  })
  @ApiOkResponse({ type: SegmentMemberPageDto })
  @ApiProblems(400, 403)
  async listCustomerSegmentMembers(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('segmentId', uuidParam('segmentId')) segmentId: string,
    @Query() query: SegmentMembersQueryDto,
  ): Promise<Page<CustomerDto>> {
    await this.segments.get(scope, segmentId);
    return this.customers.list(
      actor,
      scope,
      { limit: query.limit, cursor: query.cursor, segment: segmentId },
      {
        unmasked: query.unmasked === true,
        readAs: {
          action: 'listCustomerSegmentMembersUnmasked',
          route: '/api/v1/orgs/:orgId/customer-segments/:segmentId/members',
          path: `/api/v1/orgs/${scope.orgId}/customer-segments/${segmentId}/members`,
        },
      },
    );
  }
}
