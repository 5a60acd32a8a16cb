import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, ApiOkWithEtag, Versioned } from '../../platform/http/etag';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { Authorize, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import {
  CreateServiceCalendarDto,
  DueTimeDto,
  DueTimeRequestDto,
  ListServiceCalendarsQueryDto,
  ServiceCalendarDto,
  UpdateServiceCalendarDto,
} from './service-calendar.dto';
import { ServiceCalendarsService } from './service-calendars.service';

const ServiceCalendarPageDto = PageOf(ServiceCalendarDto);

@ApiTags('service-levels')
@Controller('orgs/:orgId/service-calendars')
export class ServiceCalendarsController {
  constructor(private readonly calendars: ServiceCalendarsService) {}

  @Get()
  @Authorize({ permission: 'tickets:read', pureRead: true })
  @ApiOperation({
    operationId: 'listServiceCalendars',
    summary: "The organization's service calendars, oldest first",
    description:
      'In the platform organization, its default calendar is the platform calendar (mainland holidays and 调休) ' +
      'that organizations copy.',
  })
  @ApiOkResponse({ type: ServiceCalendarPageDto })
  @ApiProblems(400)
  listServiceCalendars(
    @Scope() scope: DataScope,
    @Query() query: ListServiceCalendarsQueryDto,
  ): Promise<Page<ServiceCalendarDto>> {
    return this.calendars.list(scope, query);
  }

  @Post()
  @HttpCode(201)
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'createServiceCalendar',
    summary: 'Create a calendar, from scratch or as a copy of the platform calendar (`copyFrom: "platform"`)',
    description:
      'Needs the permission over the whole organization. A period that ends before it starts, overlapping periods, ' +
      'an invalid date or time zone are 400 naming the field. The first calendar becomes the default.',
  })
  @ApiCreatedResponse({ type: ServiceCalendarDto })
  @ApiProblems(400, 422)
  createServiceCalendar(
    @Scope() scope: DataScope,
    @Body() dto: CreateServiceCalendarDto,
  ): Promise<Versioned<ServiceCalendarDto>> {
    return this.calendars.create(scope, dto);
  }

  @Get(':calendarId')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'getServiceCalendar',
    summary: 'One calendar, with its ETag for a later If-Match',
  })
  @ApiOkWithEtag(ServiceCalendarDto)
  @ApiProblems(400)
  getServiceCalendar(
    @Scope() scope: DataScope,
    @Param('calendarId', uuidParam('calendarId')) calendarId: string,
  ): Promise<Versioned<ServiceCalendarDto>> {
    return this.calendars.get(scope, calendarId);
  }

  @Patch(':calendarId')
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'updateServiceCalendar',
    summary:
      'Edit a calendar: name, time zone, weekly hours, the whole list of date overrides, or make it the default',
    description:
      'Needs the permission over the whole organization. Platform staff edit the platform calendar here, in the ' +
      'platform organization. Due times computed after the edit use the new version.',
  })
  @ApiIfMatch()
  @ApiOkWithEtag(ServiceCalendarDto)
  @ApiProblems(400, 412)
  updateServiceCalendar(
    @Scope() scope: DataScope,
    @Param('calendarId', uuidParam('calendarId')) calendarId: string,
    @Body() dto: UpdateServiceCalendarDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<Versioned<ServiceCalendarDto>> {
    return this.calendars.update(scope, calendarId, dto, ifMatch);
  }

  @Delete(':calendarId')
  @HttpCode(204)
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'deleteServiceCalendar',
    summary:
      'Delete an unused calendar (not the default, named by no SLA policy: else 409 `reference_in_use`)',
  })
  @ApiProblems(400, 409)
  async deleteServiceCalendar(
    @Scope() scope: DataScope,
    @Param('calendarId', uuidParam('calendarId')) calendarId: string,
  ): Promise<void> {
    await this.calendars.remove(scope, calendarId);
  }

  @Post(':calendarId/due-time')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'computeServiceCalendarDueTime',
    summary:
      'When `minutes` of working or wall-clock time after `from` fall due on this calendar, pauses excluded',
    description: 'The arithmetic the SLA clock uses, for frontends and checks. Writes nothing.',
  })
  @ApiOkResponse({ type: DueTimeDto })
  @ApiProblems(400)
  computeServiceCalendarDueTime(
    @Scope() scope: DataScope,
    @Param('calendarId', uuidParam('calendarId')) calendarId: string,
    @Body() dto: DueTimeRequestDto,
  ): Promise<DueTimeDto> {
    return this.calendars.dueTime(scope, calendarId, dto);
  }
}
