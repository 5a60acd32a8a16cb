import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { queryRows } from '../../platform/database/query-rows';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, paginate } from '../../platform/http/pagination';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { OutboxService } from '../../platform/notifications/outbox/outbox.service';
import { OutboxEnvelope } from '../../platform/notifications/outbox/outbox.types';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { OrganizationTimeZones } from '../organizations/organization-time-zones';
import { unitSupervisors } from '../ticket-slas';
import { TicketConnectors } from '../tickets/ticket-connectors';
import { TicketChange, TicketChangeListener, TicketEvents } from '../tickets/ticket-events';
import { TicketRow } from '../tickets/ticket-row';
import { TicketsService } from '../tickets/tickets.service';
import {
  AnswerSurveyDto,
  COMMENT_MAX_LENGTH,
  CompleteSatisfactionFollowUpDto,
  ListSatisfactionFollowUpsQueryDto,
  SurveyFollowUpDto,
  DEFAULT_EXPIRY_DAYS,
  ListSurveysQueryDto,
  NpsMode,
  PublicSurveyDto,
  SatisfactionSettingsDto,
  SurveyAnsweredDto,
  SurveyDto,
  UpdateSatisfactionSettingsDto,
} from './satisfaction.dto';
import {
  FOLLOW_UP_COLUMNS,
  FollowUpRow,
  SURVEY_COLUMNS,
  SURVEY_JOINS,
  SurveyRow,
  surveyStatus,
  toFollowUpDto,
  toSurveyDto,
} from './survey-row';
import { SURVEY_TOKEN, SurveyTokens } from './survey-tokens';

export const SURVEY_SEND_EVENT = 'satisfaction.survey.send';
export const LOW_SCORE_NOTIFICATION = 'satisfaction.low_score';
/** CSAT at or below this opens a follow-up task for the unit's supervisors. */
export const LOW_CSAT = 2;
const DAY_MS = 86_400_000;
/** The list's `from`/`to` may span years; reports keep their own limit. */
const LIST_MAX_DAYS = 3660;

/** The address a channel reaches the customer at: as the tickets module replies. */
function recipientOf(ticket: TicketRow): string | null {
  const c = ticket.contact ?? {};
  switch (ticket.channel) {
    case 'email':
    case 'web':
    case 'api':
      return c.email ?? null;
    case 'phone':
      return c.phone ?? null;
    case 'douyin_dm':
      return c.douyinId ?? null;
    case 'wechat':
      return c.wechatId ?? null;
  }
}

export function surveyMessage(subject: string, link: string, asksNps: boolean): string {
  const nps = asksNps ? ' and how likely you are to recommend us (0–10)' : '';
  return (
    `Your request "${subject}" has been resolved. How satisfied are you with our service? ` +
    `Please rate us from 1 to 5${nps}: ${link}`
  );
}

/**
 * Satisfaction surveys: issued by a listener on ticket changes at every resolution (in the resolve's own
 * transaction, keyed by its event so one resolution has exactly one survey), sent through the ticket's
 * channel connector by the outbox, answered once through the public link, read by members within the
 * ticket scope. A score of 1–2 opens a follow-up task for the unit's supervisors and notifies them.
 */
@Injectable()
export class SatisfactionSurveys implements TicketChangeListener, OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly notifications: NotificationsService,
    private readonly connectors: TicketConnectors,
    private readonly tokens: SurveyTokens,
    private readonly tickets: TicketsService,
    private readonly timeZones: OrganizationTimeZones,
    private readonly events: TicketEvents,
  ) {}

  onModuleInit(): void {
    this.events.addListener(this);
    this.outbox.registerHandler<{ surveyId: string; orgId: string }>(SURVEY_SEND_EVENT, (manager, event) =>
      this.deliver(manager, event),
    );
  }

  async onTicketChange(manager: EntityManager, change: TicketChange): Promise<void> {
    if (change.to !== 'resolved' || change.from === 'resolved') return;
    const ticket = change.ticket;
    const settings = await this.settingsWith(manager, ticket.org_id);
    const id = randomUUID();
    const token = this.tokens.tokenFor(id);
    await manager.query(
      `INSERT INTO satisfaction_surveys (id, org_id, ticket_id, resolution_seq, unit_id, agent_id, ticket_type, channel,
         customer_id, subject, recipient, token_hash, nps_mode, sent_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (resolution_seq) DO NOTHING`,
      [
        id,
        ticket.org_id,
        ticket.id,
        change.seq,
        ticket.unit_id,
        ticket.assignee_id,
        ticket.type,
        ticket.channel,
        ticket.customer_id,
        ticket.subject,
        recipientOf(ticket),
        SurveyTokens.hash(token),
        settings.nps,
        change.at,
        new Date(change.at.getTime() + settings.expiryDays * DAY_MS),
      ],
    );
    const eventId = await this.outbox.enqueue(manager, SURVEY_SEND_EVENT, {
      surveyId: id,
      orgId: ticket.org_id,
    });
    await manager.query('UPDATE satisfaction_surveys SET outbox_event_id = $2 WHERE id = $1', [id, eventId]);
  }

  /**
   * Sends a survey through its channel's connector (the outbox drainer calls this in the transaction that
   * marks the event processed). The sandbox records the message it would have sent, link included, since
   * that record is the only place its messages arrive; a real connector's record has the token masked.
   */
  private async deliver(
    manager: EntityManager,
    event: OutboxEnvelope<{ surveyId: string; orgId: string }>,
  ): Promise<void> {
    const rows: SurveyRow[] = await manager.query(
      `SELECT * FROM satisfaction_surveys WHERE id = $1 AND org_id = $2 FOR UPDATE`,
      [event.payload.surveyId, event.payload.orgId],
    );
    const survey = rows[0];
    if (!survey || survey.delivered_at) return;
    const connector = this.connectors.for(survey.channel);
    const token = this.tokens.tokenFor(survey.id);
    const subject = `[${survey.subject}] How did we do?`.slice(0, 300);
    const body = surveyMessage(survey.subject, `/api/v1/public/surveys/${token}`, survey.nps_mode !== 'off');
    const receipt = await connector.send({
      messageId: survey.id,
      ticketId: survey.ticket_id,
      channel: survey.channel,
      recipient: survey.recipient,
      subject,
      body,
      attachments: [],
    });
    const recorded = connector.name === 'sandbox' ? body : body.replace(token, `${token.slice(0, 4)}…`);
    await manager.query(
      `UPDATE satisfaction_surveys SET connector = $2, recipient = $3, message_subject = $4, message_body = $5,
         delivered_at = $6 WHERE id = $1`,
      [survey.id, connector.name, receipt.recipient, subject, recorded, this.clock.now()],
    );
  }

  // ---- Public side ----------------------------------------------------------------------------

  /** What a survey asks. Unknown token 404; answered or expired 410. */
  async publicSurvey(token: string): Promise<PublicSurveyDto> {
    const survey = await this.byToken(this.dataSource.manager, token, false);
    const [org]: { name: string }[] = await this.dataSource.query(
      'SELECT name FROM organizations WHERE id = $1',
      [survey.org_id],
    );
    return {
      ticketSubject: survey.subject,
      organizationName: org?.name ?? '',
      asksNps: survey.nps_mode !== 'off',
      npsRequired: survey.nps_mode === 'required',
      commentMaxLength: COMMENT_MAX_LENGTH,
      expiresAt: survey.expires_at.toISOString(),
    };
  }

  /**
   * Records the answer once: the row is locked and checked unanswered and unexpired in one transaction,
   * so two concurrent answers cannot both count (the second is 410 `survey_answered`).
   */
  async answer(token: string, dto: AnswerSurveyDto): Promise<SurveyAnsweredDto> {
    return this.dataSource.transaction(async (manager) => {
      const survey = await this.byToken(manager, token, true);
      checkNps(survey.nps_mode, dto.nps);
      const now = this.clock.now();
      await manager.query(
        `UPDATE satisfaction_surveys SET answered_at = $2, csat = $3, nps = $4, comment = $5 WHERE id = $1`,
        [survey.id, now, dto.csat, dto.nps ?? null, dto.comment ? dto.comment : null],
      );
      if (dto.csat <= LOW_CSAT) await this.openFollowUp(manager, survey, dto.csat, now);
      return { answeredAt: now.toISOString() };
    });
  }

  /** A low score: a task for the supervisors of the ticket's unit (or the next unit up), and a notification. */
  private async openFollowUp(manager: EntityManager, survey: SurveyRow, csat: number, now: Date) {
    const supervisors = (await unitSupervisors(manager, [survey.unit_id])).get(survey.unit_id) ?? [];
    const [task]: { id: string }[] = await manager.query(
      `INSERT INTO satisfaction_follow_ups (org_id, survey_id, ticket_id, unit_id, csat, supervisor_ids, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7) RETURNING id`,
      [survey.org_id, survey.id, survey.ticket_id, survey.unit_id, csat, supervisors, now],
    );
    await this.notifications.notify(manager, {
      userIds: supervisors,
      orgId: survey.org_id,
      type: LOW_SCORE_NOTIFICATION,
      title: 'A customer rated the service low',
      body: `CSAT ${csat}/5 for "${survey.subject}": follow up with the customer`,
      data: { followUpId: task.id, surveyId: survey.id, ticketId: survey.ticket_id, csat },
    });
  }

  private async byToken(manager: EntityManager, token: string, lock: boolean): Promise<SurveyRow> {
    if (!SURVEY_TOKEN.test(token)) throw DomainError.notFound('Survey');
    const rows: SurveyRow[] = await manager.query(
      `SELECT * FROM satisfaction_surveys WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`,
      [SurveyTokens.hash(token)],
    );
    const survey = rows[0];
    if (!survey) throw DomainError.notFound('Survey');
    const status = surveyStatus(survey, this.clock.now());
    if (status === 'answered')
      throw new DomainError(ErrorCode.SurveyAnswered, 'This survey has already been answered');
    if (status === 'expired') throw new DomainError(ErrorCode.SurveyExpired, 'This survey link has expired');
    return survey;
  }

  // ---- Members' side --------------------------------------------------------------------------

  /** Surveys within the caller's `tickets:read` scope (the ticket's unit and assignee at resolution). */
  async list(scope: DataScope, query: ListSurveysQueryDto): Promise<Page<SurveyDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(SURVEY_COLUMNS)
      .from('satisfaction_surveys', 's')
      .leftJoin('outbox_events', 'o', 'o.id = s.outbox_event_id')
      .leftJoin('satisfaction_follow_ups', 'f', 'f.survey_id = s.id');
    scope.apply(qb, { org: 's.org_id', unit: 's.unit_id', owner: 's.agent_id' });
    if (query.agentId) qb.andWhere('s.agent_id = :agentId', { agentId: query.agentId });
    if (query.unitId) qb.andWhere('s.unit_id = :unitId', { unitId: query.unitId });
    if (query.csat !== undefined) qb.andWhere('s.csat = :csat', { csat: query.csat });
    const now = this.clock.now();
    if (query.status === 'answered') qb.andWhere('s.answered_at IS NOT NULL');
    else if (query.status === 'pending')
      qb.andWhere('s.answered_at IS NULL AND s.expires_at > :now', { now });
    else if (query.status === 'expired')
      qb.andWhere('s.answered_at IS NULL AND s.expires_at <= :now', { now });
    if (query.from || query.to) {
      const period = await this.timeZones.reportPeriod(scope.orgId, query, {
        defaultDays: LIST_MAX_DAYS,
        maxDays: LIST_MAX_DAYS,
      });
      qb.andWhere('s.sent_at >= :start AND s.sent_at < :end', { start: period.start, end: period.end });
    }
    return paginate(qb, {
      query,
      sort: { key: { column: 's.sent_at', kind: 'timestamp', milliseconds: true }, direction: 'DESC' },
      idColumn: 's.id',
      fetch: (q) => q.getRawMany<SurveyRow>(),
      sortValue: (row) => row.sent_at,
      idValue: (row) => row.id,
      map: (row) => toSurveyDto(row, now),
    });
  }

  /** The latest survey of a ticket the caller may read (404 for the ticket or when none was sent yet). */
  async forTicket(scope: DataScope, ticketId: string): Promise<SurveyDto> {
    await this.tickets.get(scope, ticketId);
    const rows: SurveyRow[] = await this.dataSource.query(
      `SELECT ${SURVEY_COLUMNS} FROM satisfaction_surveys s ${SURVEY_JOINS}
        WHERE s.org_id = $1 AND s.ticket_id = $2 ORDER BY s.sent_at DESC, s.resolution_seq DESC LIMIT 1`,
      [scope.orgId, ticketId],
    );
    if (!rows[0]) throw DomainError.notFound('Survey');
    return toSurveyDto(rows[0], this.clock.now());
  }

  /** Low-score follow-ups within the caller's `tickets:supervise` scope (the ticket's unit), oldest first. */
  async listFollowUps(
    scope: DataScope,
    query: ListSatisfactionFollowUpsQueryDto,
  ): Promise<Page<SurveyFollowUpDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select(FOLLOW_UP_COLUMNS)
      .from('satisfaction_follow_ups', 'f')
      .where('f.status = :status', { status: query.status ?? 'open' });
    scope.apply(qb, { org: 'f.org_id', unit: 'f.unit_id' });
    if (query.unitId) qb.andWhere('f.unit_id = :unitId', { unitId: query.unitId });
    return paginate(qb, {
      query,
      sort: { key: { column: 'f.created_at', kind: 'timestamp', milliseconds: true }, direction: 'ASC' },
      idColumn: 'f.id',
      fetch: (q) => q.getRawMany<FollowUpRow>(),
      sortValue: (row) => row.created_at,
      idValue: (row) => row.id,
      map: toFollowUpDto,
    });
  }

  /** A supervisor marks a follow-up done (409 `invalid_state` when it is already). Out of scope: 404. */
  async completeFollowUp(
    actor: Actor,
    scope: DataScope,
    id: string,
    dto: CompleteSatisfactionFollowUpDto,
  ): Promise<SurveyFollowUpDto> {
    return this.dataSource.transaction(async (manager) => {
      const rows: (FollowUpRow & { unit_path: string })[] = await manager.query(
        `SELECT ${FOLLOW_UP_COLUMNS}, u.path::text AS unit_path FROM satisfaction_follow_ups f
           JOIN org_units u ON u.id = f.unit_id
          WHERE f.id = $1 AND f.org_id = $2 FOR UPDATE OF f`,
        [id, scope.orgId],
      );
      const row = rows[0];
      if (!row || !scope.permits({ unitPath: row.unit_path, ownerId: null }))
        throw DomainError.notFound('Follow-up');
      if (row.status === 'done') {
        throw new DomainError(ErrorCode.InvalidState, 'The follow-up is already done', {
          extensions: { currentState: 'done' },
        });
      }
      const [done] = await queryRows<FollowUpRow>(
        manager,
        `UPDATE satisfaction_follow_ups f SET status = 'done', completed_at = $2, completed_by = $3, note = $4
          WHERE f.id = $1 RETURNING ${FOLLOW_UP_COLUMNS}`,
        [id, this.clock.now(), actor.userId, dto.note ? dto.note : null],
      );
      return toFollowUpDto(done);
    });
  }

  async settings(orgId: string): Promise<SatisfactionSettingsDto> {
    return this.settingsWith(this.dataSource.manager, orgId);
  }

  async updateSettings(orgId: string, dto: UpdateSatisfactionSettingsDto): Promise<SatisfactionSettingsDto> {
    const rows = await queryRows<{ expiry_days: number; nps: NpsMode }>(
      this.dataSource,
      `INSERT INTO satisfaction_settings (org_id, expiry_days, nps, updated_at)
       VALUES ($1, COALESCE($2::int, $4::int), COALESCE($3::text, 'optional'), $5)
       ON CONFLICT (org_id) DO UPDATE SET expiry_days = COALESCE($2::int, satisfaction_settings.expiry_days),
         nps = COALESCE($3::text, satisfaction_settings.nps), updated_at = EXCLUDED.updated_at
       RETURNING expiry_days, nps`,
      [orgId, dto.expiryDays ?? null, dto.nps ?? null, DEFAULT_EXPIRY_DAYS, this.clock.now()],
    );
    return { expiryDays: rows[0].expiry_days, nps: rows[0].nps };
  }

  private async settingsWith(manager: EntityManager, orgId: string): Promise<SatisfactionSettingsDto> {
    const [row]: { expiry_days: number; nps: NpsMode }[] = await manager.query(
      'SELECT expiry_days, nps FROM satisfaction_settings WHERE org_id = $1',
      [orgId],
    );
    return { expiryDays: row?.expiry_days ?? DEFAULT_EXPIRY_DAYS, nps: row?.nps ?? 'optional' };
  }
}

/** NPS per the survey's mode: refused when not asked, required when the organization requires it. */
export function checkNps(mode: NpsMode, nps: number | undefined): void {
  if (mode === 'off' && nps !== undefined) throw DomainError.validation('nps', 'is not asked by this survey');
  if (mode === 'required' && nps === undefined) throw DomainError.validation('nps', 'is required');
}
