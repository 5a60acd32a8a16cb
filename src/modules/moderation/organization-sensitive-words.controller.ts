import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { organizationLexicon } from './lexicon-target';
import {
  CreateSensitiveWordDto,
  ImportResultDto,
  ImportSensitiveWordsQueryDto,
  ListSensitiveWordsQueryDto,
  SensitiveWordDto,
  toSensitiveWordDto,
  UpdateSensitiveWordDto,
} from './sensitive-word.dto';
import { SensitiveWordImportService } from './sensitive-word-import.service';
import { SensitiveWordsService } from './sensitive-words.service';
import {
  ApiImportBody,
  CREATE_DESCRIPTION,
  IMPORT_DESCRIPTION,
  LIST_DESCRIPTION,
} from './sensitive-words.docs';

const SensitiveWordPageDto = PageOf(SensitiveWordDto);

/** An organization's own lexicon, which adds to (and may tighten) the platform's. */
@ApiTags('moderation')
@Controller('orgs/:orgId/sensitive-words')
export class OrganizationSensitiveWordsController {
  constructor(
    private readonly words: SensitiveWordsService,
    private readonly imports: SensitiveWordImportService,
  ) {}

  @Get()
  @Authorize({ permission: 'sensitive-words:read' })
  @ApiOperation({
    operationId: 'listOrgSensitiveWords',
    summary: "The organization's own sensitive words",
    description: LIST_DESCRIPTION,
  })
  @ApiOkResponse({ type: SensitiveWordPageDto })
  @ApiProblems(400)
  listOrgSensitiveWords(
    @Scope() scope: DataScope,
    @Query() query: ListSensitiveWordsQueryDto,
  ): Promise<Page<SensitiveWordDto>> {
    return this.words.list(organizationLexicon(scope), query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'sensitive-words:manage' })
  @ApiOperation({
    operationId: 'createOrgSensitiveWord',
    summary: "Add a term to the organization's lexicon",
    description: CREATE_DESCRIPTION,
  })
  @ApiCreatedResponse({ type: SensitiveWordDto })
  @ApiProblems(400, 409, 422)
  async createOrgSensitiveWord(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateSensitiveWordDto,
  ): Promise<Versioned<SensitiveWordDto>> {
    const word = await this.words.create(actor, organizationLexicon(scope), dto);
    return new Versioned(toSensitiveWordDto(word), word.version);
  }

  @Post('import')
  @HttpCode(200)
  @Authorize({ permission: 'sensitive-words:manage' })
  @ApiOperation({
    operationId: 'importOrgSensitiveWords',
    summary: "Import terms into the organization's lexicon from a text or CSV file",
    description: IMPORT_DESCRIPTION,
  })
  @ApiImportBody()
  @ApiOkResponse({ type: ImportResultDto })
  @ApiProblems(400, 413, 415, 422)
  importOrgSensitiveWords(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Query() query: ImportSensitiveWordsQueryDto,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ): Promise<ImportResultDto> {
    return this.imports.importWords(actor, organizationLexicon(scope), { contentType, body }, query);
  }

  @Get(':wordId')
  @Authorize({ permission: 'sensitive-words:read' })
  @ApiOperation({
    operationId: 'getOrgSensitiveWord',
    summary: 'One term, with its ETag for a later If-Match',
  })
  @ApiOkWithEtag(SensitiveWordDto)
  @ApiProblems(400)
  async getOrgSensitiveWord(
    @Scope() scope: DataScope,
    @Param('wordId', uuidParam('wordId')) wordId: string,
  ): Promise<Versioned<SensitiveWordDto>> {
    const word = await this.words.get(organizationLexicon(scope), wordId);
    return new Versioned(toSensitiveWordDto(word), word.version);
  }

  @Patch(':wordId')
  @Authorize({ permission: 'sensitive-words:manage' })
  @ApiOperation({
    operationId: 'updateOrgSensitiveWord',
    summary: 'Change a term, its category, severity, action, allow phrases or hint',
    description: CREATE_DESCRIPTION,
  })
  @ApiOkWithEtag(SensitiveWordDto)
  @ApiIfMatch()
  @ApiProblems(400, 409, 412, 422)
  async updateOrgSensitiveWord(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('wordId', uuidParam('wordId')) wordId: string,
    @Body() dto: UpdateSensitiveWordDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<SensitiveWordDto>> {
    const word = await this.words.update(actor, organizationLexicon(scope), wordId, dto, ifMatch);
    return new Versioned(toSensitiveWordDto(word), word.version);
  }

  @Delete(':wordId')
  @HttpCode(204)
  @Authorize({ permission: 'sensitive-words:manage' })
  @ApiOperation({
    operationId: 'deleteOrgSensitiveWord',
    summary: "Remove a term from the organization's lexicon",
  })
  @ApiProblems(400)
  async deleteOrgSensitiveWord(
    @Scope() scope: DataScope,
    @Param('wordId', uuidParam('wordId')) wordId: string,
  ): Promise<void> {
    await this.words.remove(organizationLexicon(scope), wordId);
  }
}
