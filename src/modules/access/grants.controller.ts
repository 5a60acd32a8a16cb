import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from './actor';
import { Authorize, CurrentActor, Scope } from './authorize.decorator';
import { DataScope } from './data-scope';
import { CreateGrantDto, EffectivePermissionsDto, GrantDto, GrantListDto } from './grant.dto';
import { GrantsService } from './grants.service';

@ApiTags('access')
@Controller('orgs/:orgId/members/:userId')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Get('grants')
  @Authorize({ permission: 'grants:read' })
  @ApiOperation({
    operationId: 'listMemberGrants',
    summary: "A member's grants (member within the caller's scope)",
  })
  @ApiProblems(400)
  listMemberGrants(
    @Scope() scope: DataScope,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<GrantListDto> {
    return this.grants.listMemberGrants(scope, userId);
  }

  @Post('grants')
  @HttpCode(201)
  @Authorize({ permission: 'grants:manage' })
  @ApiOperation({
    operationId: 'createMemberGrant',
    summary: 'Grant a role, or allow/deny a single permission, at a unit with a data scope',
    description:
      'Nobody grants more than they hold: each permission must be yours over the whole target area ' +
      '(403 `grant_escalation`). The member is notified; the change applies from their next request.',
  })
  @ApiProblems(400, 422)
  createMemberGrant(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('userId', uuidParam('userId')) userId: string,
    @Body() dto: CreateGrantDto,
  ): Promise<GrantDto> {
    return this.grants.addMemberGrant(actor, scope, userId, dto);
  }

  @Delete('grants/:grantId')
  @HttpCode(204)
  @Authorize({ permission: 'grants:manage' })
  @ApiOperation({
    operationId: 'deleteMemberGrant',
    summary: 'Revoke a grant',
    description: 'The last org-wide owner grant cannot be revoked (409 `last_owner`).',
  })
  @ApiProblems(400, 409)
  async deleteMemberGrant(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('userId', uuidParam('userId')) userId: string,
    @Param('grantId', uuidParam('grantId')) grantId: string,
  ): Promise<void> {
    await this.grants.revokeMemberGrant(actor, scope, userId, grantId);
  }

  @Get('effective-permissions')
  @Authorize({ permission: 'grants:read' })
  @ApiOperation({
    operationId: 'getEffectivePermissions',
    summary: 'Each permission the member holds, with its scopes and the grants it comes from',
  })
  @ApiProblems(400)
  getEffectivePermissions(
    @Scope() scope: DataScope,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<EffectivePermissionsDto> {
    return this.grants.effectivePermissions(scope, userId);
  }
}
