import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { PageOf } from '../../platform/http/pagination';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, SignedIn } from '../access/authorize.decorator';
import {
  CreateOrganizationDto,
  ListOrganizationsQueryDto,
  OrganizationDto,
  UpdateOrganizationDto,
} from './organization.dto';
import { OrganizationsService } from './organizations.service';

const OrganizationPageDto = PageOf(OrganizationDto);

@ApiTags('organizations')
@Controller('orgs')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @HttpCode(201)
  @SignedIn()
  @ApiOperation({
    operationId: 'createOrganization',
    summary: 'Create an agency or brand organization; the caller becomes its owner',
  })
  @ApiProblems(400)
  createOrganization(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateOrganizationDto,
  ): Promise<OrganizationDto> {
    return this.organizations.createOrganization(actor, dto);
  }

  @Get()
  @SignedIn()
  @ApiOperation({ operationId: 'listMyOrganizations', summary: 'Organizations the caller is a member of' })
  @ApiOkResponse({ type: OrganizationPageDto })
  @ApiProblems(400)
  listMyOrganizations(@CurrentActor() actor: Actor, @Query() query: ListOrganizationsQueryDto) {
    return this.organizations.listMyOrganizations(actor, query);
  }

  @Get(':orgId')
  @Authorize({ permission: 'org:read' })
  @ApiOperation({ operationId: 'getOrganization', summary: 'One organization' })
  @ApiProblems(400)
  getOrganization(@Param('orgId', uuidParam('orgId')) orgId: string): Promise<OrganizationDto> {
    return this.organizations.getOrganization(orgId);
  }

  @Patch(':orgId')
  @Authorize({ permission: 'org:manage' })
  @ApiOperation({
    operationId: 'updateOrganization',
    summary: 'Rename the organization or change its time zone',
  })
  @ApiProblems(400)
  updateOrganization(
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Body() dto: UpdateOrganizationDto,
  ): Promise<OrganizationDto> {
    return this.organizations.updateOrganization(orgId, dto);
  }
}
