import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  CreateSocialAccountDto,
  ListSocialAccountsQueryDto,
  SocialAccountDto,
  SuspendSocialAccountDto,
  UpdateSocialAccountDto,
} from './social-account.dto';
import { SocialAccountsService } from './social-accounts.service';

const SocialAccountPageDto = PageOf(SocialAccountDto);

@ApiTags('social-accounts')
@Controller('orgs/:orgId/social-accounts')
export class SocialAccountsController {
  constructor(private readonly accounts: SocialAccountsService) {}

  @Get()
  @Authorize({ permission: 'social-accounts:read', pureRead: true })
  @ApiOperation({
    operationId: 'listSocialAccounts',
    summary: 'Accounts the organization owns within your scope, and accounts authorized and assigned to you',
    description:
      'A brand sees its accounts whose unit lies in your scope. An agency sees the accounts it holds an active ' +
      'authorization for and that are assigned to a unit or member your scope covers. ' +
      'Filters: platform, status, unitId, ownership, q. Sort: createdAt, handle (prefix `-` for descending).',
  })
  @ApiOkResponse({ type: SocialAccountPageDto })
  @ApiProblems(400)
  listSocialAccounts(
    @Scope() scope: DataScope,
    @Query() query: ListSocialAccountsQueryDto,
  ): Promise<Page<SocialAccountDto>> {
    return this.accounts.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'social-accounts:manage' })
  @Idempotent()
  @ApiOperation({
    operationId: 'createSocialAccount',
    summary: 'Register a social account the brand owns',
    description: 'Brands only (422 otherwise). The same platform account twice is 409 `duplicate`.',
  })
  @ApiCreatedResponse({ type: SocialAccountDto })
  @ApiProblems(400, 409, 422)
  createSocialAccount(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateSocialAccountDto,
  ): Promise<Versioned<SocialAccountDto>> {
    return this.accounts.create(actor, scope, dto);
  }

  @Get(':accountId')
  @Authorize({ permission: 'social-accounts:read' })
  @ApiOperation({
    operationId: 'getSocialAccount',
    summary: 'One account, with its ETag for a later If-Match',
  })
  @ApiOkWithEtag(SocialAccountDto)
  @ApiProblems(400)
  getSocialAccount(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
  ): Promise<Versioned<SocialAccountDto>> {
    return this.accounts.get(scope, accountId);
  }

  @Patch(':accountId')
  @Authorize({ permission: 'social-accounts:manage' })
  @ApiOperation({
    operationId: 'updateSocialAccount',
    summary: 'Edit, move, freeze or unfreeze an account (the owning brand only)',
    description:
      'Freezing (`status: frozen`, with `statusReason`) stops every agency at once. A platform suspension ' +
      'cannot be changed here (409 `invalid_state`).',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(SocialAccountDto)
  @ApiProblems(400, 409, 412, 422)
  updateSocialAccount(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Body() dto: UpdateSocialAccountDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<SocialAccountDto>> {
    return this.accounts.update(actor, scope, accountId, dto, ifMatch);
  }

  @Delete(':accountId')
  @HttpCode(204)
  @Authorize({ permission: 'social-accounts:manage' })
  @ApiOperation({
    operationId: 'archiveSocialAccount',
    summary: 'Archive an account: every use ends, its usage records stay',
  })
  @ApiProblems(400)
  async archiveSocialAccount(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
  ): Promise<void> {
    await this.accounts.archive(actor, scope, accountId);
  }
}

@ApiTags('social-accounts')
@Controller('platform/social-accounts/:accountId/suspension')
export class SocialAccountSuspensionController {
  constructor(private readonly accounts: SocialAccountsService) {}

  @Post()
  @HttpCode(200)
  @Authorize({ permission: 'platform:social-accounts:suspend' })
  @ApiOperation({
    operationId: 'suspendSocialAccount',
    summary: 'Suspend any brand account for breaking platform rules, with a reason and an optional end',
  })
  @ApiOkResponse({ type: SocialAccountDto })
  @ApiProblems(400)
  suspendSocialAccount(
    @CurrentActor() actor: Actor,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Body() dto: SuspendSocialAccountDto,
  ): Promise<SocialAccountDto> {
    return this.accounts.suspend(actor, accountId, dto);
  }

  @Delete()
  @Authorize({ permission: 'platform:social-accounts:suspend' })
  @ApiOperation({ operationId: 'liftSocialAccountSuspension', summary: 'Lift a suspension early' })
  @ApiOkResponse({ type: SocialAccountDto })
  @ApiProblems(400, 409)
  liftSocialAccountSuspension(
    @CurrentActor() actor: Actor,
    @Param('accountId', uuidParam('accountId')) accountId: string,
  ): Promise<SocialAccountDto> {
    return this.accounts.liftSuspension(actor, accountId);
  }
}
