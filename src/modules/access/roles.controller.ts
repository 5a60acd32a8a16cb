import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from './actor';
import { Authorize, CurrentActor, Scope } from './authorize.decorator';
import { DataScope } from './data-scope';
import { CreateRoleDto, ListRolesQueryDto, RoleDto, UpdateRoleDto } from './role.dto';
import { RolesService } from './roles.service';

const RolePageDto = PageOf(RoleDto);

@ApiTags('access')
@Controller('orgs/:orgId/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Authorize({ permission: 'roles:read', pureRead: true })
  @ApiOperation({ operationId: 'listRoles', summary: 'System and custom roles of the organization' })
  @ApiOkResponse({ type: RolePageDto })
  @ApiProblems(400)
  listRoles(@CurrentActor() actor: Actor, @Scope() scope: DataScope, @Query() query: ListRolesQueryDto) {
    return this.roles.listRoles(actor, scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'roles:manage' })
  @ApiOperation({
    operationId: 'createRole',
    summary: 'Create a custom role',
    description:
      'Unknown permission codes are refused (422). You can only include permissions you hold org-wide.',
  })
  @ApiProblems(400, 409, 422)
  createRole(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateRoleDto,
  ): Promise<RoleDto> {
    return this.roles.createRole(actor, scope, dto);
  }

  @Patch(':roleId')
  @Authorize({ permission: 'roles:manage' })
  @ApiOperation({ operationId: 'updateRole', summary: 'Change a custom role; holders are notified' })
  @ApiIfMatch()
  @ApiOkWithEtag(RoleDto)
  @ApiProblems(400, 409, 412, 422)
  async updateRole(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('roleId', uuidParam('roleId')) roleId: string,
    @Body() dto: UpdateRoleDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<RoleDto>> {
    const updated = await this.roles.updateRole(actor, scope, roleId, dto, ifMatch);
    return new Versioned(updated.dto, updated.version);
  }

  @Delete(':roleId')
  @HttpCode(204)
  @Authorize({ permission: 'roles:manage' })
  @ApiOperation({ operationId: 'deleteRole', summary: 'Delete a custom role that nobody holds' })
  @ApiProblems(400, 409, 422)
  async deleteRole(
    @Scope() scope: DataScope,
    @Param('roleId', uuidParam('roleId')) roleId: string,
  ): Promise<void> {
    await this.roles.deleteRole(scope, roleId);
  }
}
