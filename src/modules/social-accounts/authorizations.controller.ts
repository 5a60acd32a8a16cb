import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  AuthorizationDto,
  ListAuthorizationsQueryDto,
  OfferAuthorizationDto,
  RevokeAuthorizationDto,
} from './authorization.dto';
import { AuthorizationsService } from './authorizations.service';

const AuthorizationPageDto = PageOf(AuthorizationDto);

@ApiTags('social-accounts')
@Controller('orgs/:orgId/authorizations')
export class AuthorizationsController {
  constructor(private readonly authorizations: AuthorizationsService) {}

  @Get()
  @Authorize({ permission: 'authorizations:read' })
  @ApiOperation({
    operationId: 'listAuthorizations',
    summary: 'Authorizations this organization granted (brand) or received (agency), newest first',
    description:
      'Brand side: those covering an account in your scope, or that you offered. Agency side: an ' +
      'organization-wide contract, listed with an organization scope (or `self` for those you decided). ' +
      'Filters: direction, status, accountId, counterpartOrgId.',
  })
  @ApiOkResponse({ type: AuthorizationPageDto })
  @ApiProblems(400)
  listAuthorizations(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Query() query: ListAuthorizationsQueryDto,
  ): Promise<Page<AuthorizationDto>> {
    return this.authorizations.list(actor, scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'authorizations:manage' })
  @Idempotent()
  @ApiOperation({
    operationId: 'offerAuthorization',
    summary: 'Offer an agency access to accounts, with scopes and a validity window (brand side)',
    description: 'The agency must accept it before it grants anything. The agency owners are notified.',
  })
  @ApiCreatedResponse({ type: AuthorizationDto })
  @ApiProblems(400, 422)
  offerAuthorization(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: OfferAuthorizationDto,
  ): Promise<AuthorizationDto> {
    return this.authorizations.offer(actor, scope, dto);
  }

  @Get(':authorizationId')
  @Authorize({ permission: 'authorizations:read' })
  @ApiOperation({ operationId: 'getAuthorization', summary: 'One authorization, from either side' })
  @ApiOkResponse({ type: AuthorizationDto })
  @ApiProblems(400)
  getAuthorization(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('authorizationId', uuidParam('authorizationId')) authorizationId: string,
  ): Promise<AuthorizationDto> {
    return this.authorizations.get(actor, scope, authorizationId);
  }

  @Post(':authorizationId/accept')
  @HttpCode(200)
  @Authorize({ permission: 'authorizations:manage' })
  @ApiOperation({
    operationId: 'acceptAuthorization',
    summary: 'Accept an offered authorization (agency side, organization scope)',
    description: 'Only an `offered`, unexpired authorization can be accepted; otherwise 409 `invalid_state`.',
  })
  @ApiOkResponse({ type: AuthorizationDto })
  @ApiProblems(400, 409)
  acceptAuthorization(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('authorizationId', uuidParam('authorizationId')) authorizationId: string,
  ): Promise<AuthorizationDto> {
    return this.authorizations.decide(actor, scope, authorizationId, 'accept');
  }

  @Post(':authorizationId/decline')
  @HttpCode(200)
  @Authorize({ permission: 'authorizations:manage' })
  @ApiOperation({
    operationId: 'declineAuthorization',
    summary: 'Decline an offered authorization (agency side)',
  })
  @ApiOkResponse({ type: AuthorizationDto })
  @ApiProblems(400, 409)
  declineAuthorization(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('authorizationId', uuidParam('authorizationId')) authorizationId: string,
  ): Promise<AuthorizationDto> {
    return this.authorizations.decide(actor, scope, authorizationId, 'decline');
  }

  @Post(':authorizationId/revoke')
  @HttpCode(200)
  @Authorize({ permission: 'authorizations:manage' })
  @ApiOperation({
    operationId: 'revokeAuthorization',
    summary: "Revoke an offered or active authorization (brand side); the agency's next request is refused",
  })
  @ApiOkResponse({ type: AuthorizationDto })
  @ApiProblems(400, 409)
  revokeAuthorization(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('authorizationId', uuidParam('authorizationId')) authorizationId: string,
    @Body() dto: RevokeAuthorizationDto,
  ): Promise<AuthorizationDto> {
    return this.authorizations.revoke(actor, scope, authorizationId, dto);
  }
}
