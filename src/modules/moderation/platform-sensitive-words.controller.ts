import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { platformLexicon } from './lexicon-target';
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

/** The platform lexicon: platform staff keep it; it applies to every organization's content. */
@ApiTags('moderation')
@Controller('platform/sensitive-words')
export class PlatformSensitiveWordsController {
  constructor(
    private readonly words: SensitiveWordsService,
    private readonly imports: SensitiveWordImportService,
  ) {}

  @Get()
  @Authorize({ permission: 'platform:sensitive-words:manage' })
  @ApiOperation({
    operationId: 'listPlatformSensitiveWords',
    summary: 'The platform lexicon, which applies to every organization',
    description: LIST_DESCRIPTION,
  })
  @ApiOkResponse({ type: SensitiveWordPageDto })
  @ApiProblems(400)
  listPlatformSensitiveWords(
    @Scope() scope: DataScope,
    @Query() query: ListSensitiveWordsQueryDto,
  ): Promise<Page<SensitiveWordDto>> {
    return this.words.list(platformLexicon(scope), query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'platform:sensitive-words:manage' })
  @ApiOperation({
    operationId: 'createPlatformSensitiveWord',
    summary: 'Add a term to the platform lexicon',
    description: CREATE_DESCRIPTION,
  })
  @ApiCreatedResponse({ type: SensitiveWordDto })
  @ApiProblems(400, 409, 422)
  async createPlatformSensitiveWord(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: CreateSensitiveWordDto,
  ): Promise<Versioned<SensitiveWordDto>> {
    const word = await this.words.create(actor, platformLexicon(scope), dto);
    return new Versioned(toSensitiveWordDto(word), word.version);
  }

  @Post('import')
  @HttpCode(200)
  @Authorize({ permission: 'platform:sensitive-words:manage' })
  @ApiOperation({
    operationId: 'importPlatformSensitiveWords',
    summary: 'Import terms into the platform lexicon from a text or CSV file',
    description: IMPORT_DESCRIPTION,
  })
  @ApiImportBody()
  @ApiOkResponse({ type: ImportResultDto })
  @ApiProblems(400, 413, 415, 422)
  importPlatformSensitiveWords(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Query() query: ImportSensitiveWordsQueryDto,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ): Promise<ImportResultDto> {
    return this.imports.importWords(actor, platformLexicon(scope), { contentType, body }, query);
  }

  @Get(':wordId')
  @Authorize({ permission: 'platform:sensitive-words:manage' })
  @ApiOperation({
    operationId: 'getPlatformSensitiveWord',
    summary: 'One term, with its ETag for a later If-Match',
  })
  @ApiOkWithEtag(SensitiveWordDto)
  @ApiProblems(400)
  async getPlatformSensitiveWord(
    @Scope() scope: DataScope,
    @Param('wordId', uuidParam('wordId')) wordId: string,
  ): Promise<Versioned<SensitiveWordDto>> {
    const word = await this.words.get(platformLexicon(scope), wordId);
    return new Versioned(toSensitiveWordDto(word), word.version);
  }

  @Patch(':wordId')
  @Authorize({ permission: 'platform:sensitive-words:manage' })
  @ApiOperation({
    operationId: 'updatePlatformSensitiveWord',
    summary: 'Change a term, its category, severity, action, allow phrases or hint',
    description: CREATE_DESCRIPTION,
  })
  @ApiOkWithEtag(SensitiveWordDto)
  @ApiIfMatch()
  @ApiProblems(400, 409, 412, 422)
  async updatePlatformSensitiveWord(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('wordId', uuidParam('wordId')) wordId: string,
    @Body() dto: UpdateSensitiveWordDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<SensitiveWordDto>> {
    const word = await this.words.update(actor, platformLexicon(scope), wordId, dto, ifMatch);
    return new Versioned(toSensitiveWordDto(word), word.version);
  }

  @Delete(':wordId')
  @HttpCode(204)
  @Authorize({ permission: 'platform:sensitive-words:manage' })
  @ApiOperation({
    operationId: 'deletePlatformSensitiveWord',
    summary: 'Remove a term from the platform lexicon',
  })
  @ApiProblems(400)
  async deletePlatformSensitiveWord(
    @Scope() scope: DataScope,
    @Param('wordId', uuidParam('wordId')) wordId: string,
  ): Promise<void> {
    await this.words.remove(platformLexicon(scope), wordId);
  }
}
