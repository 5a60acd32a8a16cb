import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { Page, PageOf } from '../../platform/http/pagination';
import { ApiProblems } from '../../platform/http/problem.dto';
import { uuidParam } from '../../platform/http/validation';
import { ReportAnswer, ReportEndpoint } from '../../platform/reports';
import { Actor } from '../access/actor';
import { Authorize, CurrentActor, Public, Scope } from '../access/authorize.decorator';
import { DataScope } from '../access/data-scope';
import { CsatReportDto, CsatReportQueryDto } from './csat-report.dto';
import { CsatReportService } from './csat-report.service';
import {
  AnswerSurveyDto,
  CompleteSatisfactionFollowUpDto,
  ListSatisfactionFollowUpsQueryDto,
  ListSurveysQueryDto,
  SurveyFollowUpDto,
  PublicSurveyDto,
  SatisfactionSettingsDto,
  SurveyAnsweredDto,
  SurveyDto,
  UpdateSatisfactionSettingsDto,
} from './satisfaction.dto';
import { SatisfactionSurveys } from './satisfaction-surveys.service';
import { SURVEY_TOKEN_MAX_LENGTH } from './survey-tokens';

const SurveyPageDto = PageOf(SurveyDto);
const FollowUpPageDto = PageOf(SurveyFollowUpDto);
const TOKEN_PARAM = {
  name: 'surveyLink',
  description: 'The survey link’s token, as sent to the customer',
  schema: { type: 'string' as const, maxLength: SURVEY_TOKEN_MAX_LENGTH },
};
/** As the public ticket doors: anyone can knock, so stricter than the global limit. */
const PUBLIC_READS = { default: { limit: 30, ttl: 60_000 } };
const PUBLIC_WRITES = { default: { limit: 10, ttl: 60_000 } };

@ApiTags('satisfaction')
@Controller('public/surveys')
export class PublicSurveysController {
  constructor(private readonly surveys: SatisfactionSurveys) {}

  @Get(':surveyLink')
  @Public()
  @Throttle(PUBLIC_READS)
  @ApiOperation({
    operationId: 'getPublicSurvey',
    summary: 'What a satisfaction survey asks: the ticket’s subject, the organization, whether NPS is asked',
    description:
      'An unknown token is 404; a survey answered already is 410 `survey_answered`, one past its expiry 410 `survey_expired`.',
  })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: PublicSurveyDto })
  @ApiProblems(400, 404, 410, 429)
  getPublicSurvey(@Param('surveyLink') token: string): Promise<PublicSurveyDto> {
    return this.surveys.publicSurvey(token);
  }

  @Post(':surveyLink')
  @HttpCode(200)
  @Public()
  @Throttle(PUBLIC_WRITES)
  @ApiOperation({
    operationId: 'answerPublicSurvey',
    summary: 'The customer answers: CSAT 1–5, optionally a comment and NPS 0–10',
    description:
      'Once per survey: a second answer is 410 `survey_answered`, an expired link 410 `survey_expired`, an unknown ' +
      'token 404. `nps` is refused (400) when the survey does not ask it and required (400) when the organization ' +
      'requires it. A CSAT of 1–2 opens a follow-up task for the supervisors of the ticket’s unit.',
  })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: SurveyAnsweredDto })
  @ApiProblems(400, 404, 410, 429)
  answerPublicSurvey(
    @Param('surveyLink') token: string,
    @Body() dto: AnswerSurveyDto,
  ): Promise<SurveyAnsweredDto> {
    return this.surveys.answer(token, dto);
  }
}

@ApiTags('satisfaction')
@Controller('orgs/:orgId')
export class SatisfactionController {
  constructor(
    private readonly surveys: SatisfactionSurveys,
    private readonly reports: CsatReportService,
  ) {}

  @Get('satisfaction-surveys')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'listSatisfactionSurveys',
    summary: 'Surveys and their answers, newest first',
    description:
      'Scoped like tickets, by the unit and assignee the ticket had when it was resolved. `from`/`to` are local ' +
      'days of the organization’s time zone on the day the survey was sent.',
  })
  @ApiOkResponse({ type: SurveyPageDto })
  @ApiProblems(400)
  listSatisfactionSurveys(
    @Scope() scope: DataScope,
    @Query() query: ListSurveysQueryDto,
  ): Promise<Page<SurveyDto>> {
    return this.surveys.list(scope, query);
  }

  @Get('tickets/:ticketId/survey')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'getTicketSurvey',
    summary: 'The latest satisfaction survey of a ticket (the one of its last resolution)',
    description: 'A ticket outside the caller’s scope, of another organization, or not resolved yet is 404.',
  })
  @ApiOkResponse({ type: SurveyDto })
  @ApiProblems(400)
  getTicketSurvey(
    @Scope() scope: DataScope,
    @Param('ticketId', uuidParam('ticketId')) ticketId: string,
  ): Promise<SurveyDto> {
    return this.surveys.forTicket(scope, ticketId);
  }

  @Get('satisfaction-follow-ups')
  @Authorize({ permission: 'tickets:supervise' })
  @ApiOperation({
    operationId: 'listSatisfactionFollowUps',
    summary: 'Follow-ups opened by low scores (CSAT 1–2), oldest first (default `status=open`)',
    description: 'Scoped by the unit the ticket had when it was resolved.',
  })
  @ApiOkResponse({ type: FollowUpPageDto })
  @ApiProblems(400)
  listSatisfactionFollowUps(
    @Scope() scope: DataScope,
    @Query() query: ListSatisfactionFollowUpsQueryDto,
  ): Promise<Page<SurveyFollowUpDto>> {
    return this.surveys.listFollowUps(scope, query);
  }

  @Post('satisfaction-follow-ups/:followUpId/complete')
  @HttpCode(200)
  @Authorize({ permission: 'tickets:supervise' })
  @ApiOperation({
    operationId: 'completeSatisfactionFollowUp',
    summary: 'Mark a low-score follow-up done, with an optional note',
    description: 'One outside the caller’s scope or of another organization is 404; one already done is 409.',
  })
  @ApiOkResponse({ type: SurveyFollowUpDto })
  @ApiProblems(400, 409)
  completeSatisfactionFollowUp(
    @CurrentActor() actor: Actor,
    @Scope() scope: DataScope,
    @Param('followUpId', uuidParam('followUpId')) followUpId: string,
    @Body() dto: CompleteSatisfactionFollowUpDto,
  ): Promise<SurveyFollowUpDto> {
    return this.surveys.completeFollowUp(actor, scope, followUpId, dto);
  }

  @Get('satisfaction-settings')
  @Authorize({ permission: 'tickets:read' })
  @ApiOperation({
    operationId: 'getSatisfactionSettings',
    summary: 'How long survey links stay valid and whether NPS is asked',
  })
  @ApiOkResponse({ type: SatisfactionSettingsDto })
  getSatisfactionSettings(@Scope() scope: DataScope): Promise<SatisfactionSettingsDto> {
    return this.surveys.settings(scope.orgId);
  }

  @Put('satisfaction-settings')
  @Authorize({ permission: 'service:manage' })
  @ApiOperation({
    operationId: 'updateSatisfactionSettings',
    summary: 'Change the survey link lifetime (days, 1–90) or whether NPS is off, optional or required',
    description: 'Applies to surveys sent from now on; those already sent keep theirs.',
  })
  @ApiOkResponse({ type: SatisfactionSettingsDto })
  @ApiProblems(400)
  updateSatisfactionSettings(
    @Scope() scope: DataScope,
    @Body() dto: UpdateSatisfactionSettingsDto,
  ): Promise<SatisfactionSettingsDto> {
    return this.surveys.updateSettings(scope.orgId, dto);
  }

  @Get('service-reports/csat')
  @Authorize({ permission: 'tickets:supervise' })
  @ReportEndpoint(CsatReportDto, 'Customer satisfaction')
  @ApiOperation({
    operationId: 'getCsatReport',
    summary: 'CSAT average and distribution, surveys sent and answered, response rate and NPS',
    description:
      'By period bucket (`interval`, in the organization’s time zone), agent, unit or ticket type (`groupBy`), ' +
      'over the surveys sent in the period within the caller’s scope. Definitions: docs/satisfaction.md.',
  })
  @ApiProblems(400)
  getCsatReport(
    @Scope() scope: DataScope,
    @Query() query: CsatReportQueryDto,
  ): Promise<ReportAnswer<CsatReportDto>> {
    return this.reports.report(scope, query);
  }
}
