import { Body, Controller, Get, Headers, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Actor } from '../access/actor';
import { CurrentActor, SignedIn } from '../access/authorize.decorator';
import { ApiIfMatch, ApiOkWithEtag } from '../../platform/http/etag';
import { MeDto, ProfileDto, UpdateProfileDto } from './me.dto';
import { MeService } from './me.service';

@ApiTags('profiles')
@Controller('me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @SignedIn()
  @ApiOperation({
    operationId: 'getMe',
    summary: 'The signed-in user, their real-name profile (ID number masked) and their organizations',
    description: 'The ETag is the version of the profile, for If-Match on PUT /me/profile.',
  })
  @ApiOkWithEtag(MeDto)
  // 401 comes with @SignedIn; an API key is refused with 403.
  @ApiProblems(403)
  async getMe(@CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply): Promise<MeDto> {
    const { body, etag } = await this.me.getMe(actor);
    reply.header('ETag', etag);
    return body;
  }

  @Put('profile')
  @SignedIn()
  @ApiOperation({
    operationId: 'updateMyProfile',
    summary: 'Replace the real-name profile',
    description:
      'The ID number must be valid and consistent with birthDate and gender (else 400 naming `idNumber`). ' +
      'A new real name or ID number, or saving while unverified or rejected, sets realNameStatus to `pending` ' +
      'and queues a verification request for platform review.',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(ProfileDto)
  @ApiProblems(400, 403, 409, 412)
  async updateMyProfile(
    @CurrentActor() actor: Actor,
    @Body() dto: UpdateProfileDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProfileDto> {
    const { body, etag } = await this.me.updateMyProfile(actor, dto, ifMatch);
    reply.header('ETag', etag);
    return body;
  }
}
