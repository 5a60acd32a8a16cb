import { Body, Controller, Get, Headers, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../../platform/http/etag';
import { ApiProblems } from '../../../platform/http/problem.dto';
import { Actor } from '../../access/actor';
import { Authorize, CurrentActor, Scope } from '../../access/authorize.decorator';
import { DataScope } from '../../access/data-scope';
import { PathRulesDto, ReplacePathRulesDto } from './paths.dto';
import { PathRulesService } from './path-rules.service';

@ApiTags('analytics')
@Controller('orgs/:orgId/analytics/path-rules')
export class PathRulesController {
  constructor(private readonly rules: PathRulesService) {}

  @Get()
  @Authorize({ permission: 'analytics:read' })
  @ApiOperation({
    operationId: 'getPathRules',
    summary: "The organization's path cleaning rules (regex → alias, in order), with their ETag",
  })
  @ApiOkWithEtag(PathRulesDto)
  getPathRules(@Scope() scope: DataScope): Promise<Versioned<PathRulesDto>> {
    return this.rules.get(scope);
  }

  @Put()
  @Authorize({ permission: 'analytics:manage' })
  @ApiOperation({
    operationId: 'replacePathRules',
    summary: 'Replace the path cleaning rules, applied in order to page paths in the paths report',
    description:
      'Needs the permission over the whole organization (403 otherwise). Each pattern is a PostgreSQL ' +
      'regular expression of at most 200 characters, checked when saved (400 naming `rules.N.pattern`).',
  })
  @ApiOkWithEtag(PathRulesDto)
  @ApiIfMatch()
  @ApiProblems(400, 412)
  replacePathRules(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: ReplacePathRulesDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<PathRulesDto>> {
    return this.rules.replace(actor, scope, dto, ifMatch);
  }
}
