import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope, SignedIn } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  InvitationDto,
  InviteMemberDto,
  ListMembersQueryDto,
  MemberDto,
  UpdateMemberDto,
} from './member.dto';
import { InvitationsService } from './invitations.service';
import { MembersService } from './members.service';

const MemberPageDto = PageOf(MemberDto);
const InvitationPageDto = PageOf(InvitationDto);

@ApiTags('organizations')
@Controller('orgs/:orgId/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @Authorize({ permission: 'members:read', pureRead: true })
  @ApiOperation({
    operationId: 'listMembers',
    summary: "Members whose primary unit lies within the caller's members:read scope",
  })
  @ApiOkResponse({ type: MemberPageDto })
  @ApiProblems(400)
  listMembers(@Scope() scope: DataScope, @Query() query: ListMembersQueryDto) {
    return this.members.listMembers(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'members:manage' })
  @Idempotent()
  @ApiOperation({
    operationId: 'inviteMember',
    summary: 'Invite an existing user by username, email or phone; they accept from their invitations',
  })
  @ApiProblems(400, 409, 422)
  inviteMember(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: InviteMemberDto,
  ): Promise<InvitationDto> {
    return this.members.inviteMember(actor, scope, dto);
  }

  @Patch(':userId')
  @Authorize({ permission: 'members:manage' })
  @ApiOperation({ operationId: 'updateMember', summary: 'Move a member to another primary unit' })
  @ApiProblems(400, 422)
  updateMember(
    @Scope() scope: DataScope,
    @Param('userId', uuidParam('userId')) userId: string,
    @Body() dto: UpdateMemberDto,
  ): Promise<MemberDto> {
    return this.members.updateMember(scope, userId, dto);
  }

  @Delete(':userId')
  @HttpCode(204)
  @Authorize({ permission: 'members:manage' })
  @ApiOperation({
    operationId: 'removeMember',
    summary: 'Remove a member: their grants end and the API keys they created are revoked',
    description: 'The last owner cannot be removed (409 `last_owner`).',
  })
  @ApiProblems(400, 409)
  async removeMember(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<void> {
    await this.members.removeMember(actor, scope, userId);
  }
}

@ApiTags('organizations')
@Controller('me/invitations')
export class MyInvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  @SignedIn()
  @ApiOperation({ operationId: 'listMyInvitations', summary: 'Pending invitations addressed to the caller' })
  @ApiOkResponse({ type: InvitationPageDto })
  listMyInvitations(@CurrentActor() actor: Actor) {
    return this.invitations.listMyInvitations(actor);
  }

  @Post(':invitationId/accept')
  @HttpCode(200)
  @SignedIn()
  @ApiOperation({ operationId: 'acceptInvitation', summary: 'Accept an invitation and become a member' })
  @ApiProblems(400, 404, 409)
  acceptInvitation(
    @CurrentActor() actor: Actor,
    @Param('invitationId', uuidParam('invitationId')) invitationId: string,
  ): Promise<InvitationDto> {
    return this.invitations.acceptInvitation(actor, invitationId);
  }

  @Post(':invitationId/decline')
  @HttpCode(200)
  @SignedIn()
  @ApiOperation({ operationId: 'declineInvitation', summary: 'Decline an invitation' })
  @ApiProblems(400, 404, 409)
  declineInvitation(
    @CurrentActor() actor: Actor,
    @Param('invitationId', uuidParam('invitationId')) invitationId: string,
  ): Promise<InvitationDto> {
    return this.invitations.declineInvitation(actor, invitationId);
  }
}
