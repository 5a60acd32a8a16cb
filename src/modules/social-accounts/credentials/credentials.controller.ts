import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiIfMatch, ApiOkWithEtag } from '../../../platform/http/etag';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { uuidParam } from '../../../platform/http/validation';
import { Actor } from '../../access/actor';
import { Authorize, CurrentActor, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { CredentialReveals } from './credential-reveals.service';
import {
  CredentialMetadataDto,
  RevealCredentialsDto,
  RevealedCredentialsDto,
  StoreCredentialsDto,
} from './credential.dto';
import { CredentialsService } from './credentials.service';

const WHO_MAY_CHANGE =
  "The brand needs the permission over the account's unit; an agency member needs it over where the account " +
  'is assigned (404 otherwise, as for any row outside your scope), an active authorization with the `manage` ' +
  'scope (403 `authorization_scope_missing`) and an account that is neither frozen nor suspended ' +
  '(409 `social_account_unavailable`).';

@ApiTags('credentials')
@ApiParam({ name: 'orgId', type: String, format: 'uuid' })
@ApiParam({ name: 'accountId', type: String, format: 'uuid' })
@Controller('orgs/:orgId/social-accounts/:accountId/credentials')
export class CredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly reveals: CredentialReveals,
  ) {}

  @Get()
  @Authorize({ permission: 'social-accounts:read' })
  @ApiOperation({
    operationId: 'getAccountCredentials',
    summary: 'What credentials are stored for the account: kind, expiries, who stored them. Never the secret',
    description: 'Any caller who may see the account, in any state. 404 when none are stored.',
  })
  @ApiOkWithEtag(CredentialMetadataDto)
  @ApiProblems(400)
  async getAccountCredentials(
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CredentialMetadataDto> {
    const { body, etag } = await this.credentials.get(scope, accountId);
    reply.header('ETag', etag);
    return body;
  }

  @Put()
  @Authorize({ permission: 'credentials:manage' })
  @ApiOperation({
    operationId: 'storeAccountCredentials',
    summary: 'Store or replace the account’s credentials (a password or OAuth tokens); answers metadata only',
    description:
      'The secret is encrypted at rest and never appears in any answer but a reveal. ' +
      `${WHO_MAY_CHANGE} Records \`credential.stored\` or \`credential.rotated\` in the usage records.`,
  })
  @ApiIfMatch()
  @ApiOkWithEtag(CredentialMetadataDto)
  @ApiProblems(400, 409, 412)
  async storeAccountCredentials(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Body() dto: StoreCredentialsDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CredentialMetadataDto> {
    const { body, etag } = await this.credentials.store(actor, scope, accountId, dto, ifMatch);
    reply.header('ETag', etag);
    return body;
  }

  @Delete()
  @HttpCode(204)
  @Authorize({ permission: 'credentials:manage' })
  @ApiOperation({
    operationId: 'removeAccountCredentials',
    summary: 'Remove the account’s credentials',
    description: `${WHO_MAY_CHANGE} Records \`credential.removed\`. 404 when none are stored.`,
  })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(400, 409, 412)
  async removeAccountCredentials(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.credentials.remove(actor, scope, accountId, ifMatch);
  }

  @Post('reveal')
  @HttpCode(200)
  @Authorize({ permission: 'credentials:reveal' })
  @ApiOperation({
    operationId: 'revealAccountCredentials',
    summary: 'Reveal the account’s credentials, stating why; recorded, and the brand’s owners are told',
    description:
      'Signed-in people only (an API key gets 403). ' +
      `${WHO_MAY_CHANGE} At most CREDENTIAL_REVEALS_PER_HOUR reveals per person an hour (429 \`rate_limited\` ` +
      'with Retry-After). Each reveal is recorded (`credential.revealed`, with the reason) and notifies the ' +
      "brand's owners; a reveal outside the usual hours, from a new address or beyond the daily threshold " +
      'also raises an anomaly notification. The answer is not cacheable.',
  })
  @ApiOkResponse({
    type: RevealedCredentialsDto,
    headers: { 'Cache-Control': { description: '`no-store`', schema: { type: 'string' } } },
  })
  @ApiProblems(400, 409, 429)
  async revealAccountCredentials(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('accountId', uuidParam('accountId')) accountId: string,
    @Body() dto: RevealCredentialsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RevealedCredentialsDto> {
    // Set before the work, so that no answer of this route (error or not) is ever stored by a cache.
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return this.reveals.reveal(actor, scope, accountId, dto);
  }
}
