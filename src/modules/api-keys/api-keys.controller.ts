import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, ListApiKeysQueryDto } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';

const ApiKeyPageDto = PageOf(ApiKeyDto);

@ApiTags('api-keys')
@Controller('orgs/:orgId/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Authorize({ permission: 'api-keys:read', pureRead: true })
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: 'API keys of the organization (never the keys themselves)',
  })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiProblems(400)
  listApiKeys(@Scope() scope: DataScope, @Query() query: ListApiKeysQueryDto) {
    return this.apiKeys.listApiKeys(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'api-keys:manage' })
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key with its grants; the key is in this response only',
    description: 'Each grant must be within the creator’s own authority (403 `grant_escalation`).',
  })
  @ApiProblems(400, 422)
  createApiKey(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return this.apiKeys.createApiKey(actor, scope, dto);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Authorize({ permission: 'api-keys:manage' })
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke an API key; it fails from the next request' })
  @ApiProblems(400)
  async revokeApiKey(
    @Scope() scope: DataScope,
    @Param('keyId', uuidParam('keyId')) keyId: string,
  ): Promise<void> {
    await this.apiKeys.revokeApiKey(scope, keyId);
  }
}
