import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Public } from '../access/authorize.decorator';
import { PublicContentDto, PublicListQueryDto } from './content.dto';
import { PublicContentsService } from './public-contents.service';

const PublicContentPageDto = PageOf(PublicContentDto);

@ApiTags('content')
@Controller('public/contents')
export class PublicContentsController {
  constructor(private readonly contents: PublicContentsService) {}

  @Get()
  @Public()
  @ApiOperation({
    operationId: 'listPublicContents',
    summary: 'Published platform content: pinned first, then by sort weight, then newest',
    description: 'Filters: category, channel, recommended, featured. No sign-in needed.',
  })
  @ApiOkResponse({ type: PublicContentPageDto })
  @ApiProblems(400)
  listPublicContents(@Query() query: PublicListQueryDto): Promise<Page<PublicContentDto>> {
    return this.contents.list(query);
  }

  @Get(':contentId')
  @Public()
  @ApiOperation({ operationId: 'getPublicContent', summary: 'One published platform content' })
  @ApiOkResponse({ type: PublicContentDto })
  @ApiProblems(400, 404)
  getPublicContent(@Param('contentId', uuidParam('contentId')) contentId: string): Promise<PublicContentDto> {
    return this.contents.get(contentId);
  }
}
