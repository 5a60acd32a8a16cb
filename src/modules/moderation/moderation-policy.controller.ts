import { Body, Controller, Get, Headers, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { ModerationPolicyDto, ReplaceModerationPolicyDto } from './moderation-policy.dto';
import { ModerationPoliciesService } from './moderation-policies.service';

@ApiTags('moderation')
@Controller('orgs/:orgId/moderation-policy')
export class ModerationPolicyController {
  constructor(private readonly policies: ModerationPoliciesService) {}

  @Get()
  @Authorize({ permission: 'sensitive-words:read' })
  @ApiOperation({
    operationId: 'getModerationPolicy',
    summary: "The organization's moderation policy (the defaults until it saves one), with its ETag",
  })
  @ApiOkWithEtag(ModerationPolicyDto)
  async getModerationPolicy(@Scope() scope: DataScope): Promise<Versioned<ModerationPolicyDto>> {
    const { policy, version } = await this.policies.get(scope);
    return new Versioned(policy, version);
  }

  @Put()
  @Authorize({ permission: 'sensitive-words:manage' })
  @ApiOperation({
    operationId: 'replaceModerationPolicy',
    summary: "Replace the organization's moderation policy",
    description:
      'Needs the permission over the whole organization. A stricter `absoluteTermsAction` applies to ' +
      'checks on every API replica within seconds.',
  })
  @ApiOkWithEtag(ModerationPolicyDto)
  @ApiIfMatch()
  @ApiProblems(400, 412)
  async replaceModerationPolicy(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Body() dto: ReplaceModerationPolicyDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<ModerationPolicyDto>> {
    const { policy, version } = await this.policies.replace(actor, scope, dto, ifMatch);
    return new Versioned(policy, version);
  }
}
