import { TicketChannel, TicketType } from '../tickets/ticket.dto';
import {
  FollowUpStatus,
  NpsMode,
  SurveyDeliveryStatus,
  SurveyDto,
  SurveyFollowUpDto,
  SurveyStatus,
} from './satisfaction.dto';

/** A `satisfaction_surveys` row (raw SQL, snake_case) with its outbox and follow-up columns joined. */
export interface SurveyRow {
  id: string;
  org_id: string;
  ticket_id: string;
  unit_id: string;
  agent_id: string | null;
  ticket_type: TicketType;
  channel: TicketChannel;
  customer_id: string | null;
  subject: string;
  recipient: string | null;
  nps_mode: NpsMode;
  sent_at: Date;
  expires_at: Date;
  connector: string | null;
  delivered_at: Date | null;
  answered_at: Date | null;
  csat: number | null;
  nps: number | null;
  comment: string | null;
  // Joined: the outbox event while it is kept, and the follow-up task.
  outbox_failed_at: Date | null;
  outbox_present: boolean;
  follow_up_id: string | null;
  follow_up_status: FollowUpStatus | null;
  follow_up_supervisor_ids: string[] | null;
  follow_up_created_at: Date | null;
  follow_up_csat: number | null;
  follow_up_completed_at: Date | null;
  follow_up_completed_by: string | null;
  follow_up_note: string | null;
}

/** A `satisfaction_follow_ups` row. */
export interface FollowUpRow {
  id: string;
  org_id: string;
  survey_id: string;
  ticket_id: string;
  unit_id: string;
  csat: number;
  supervisor_ids: string[];
  status: FollowUpStatus;
  created_at: Date;
  completed_at: Date | null;
  completed_by: string | null;
  note: string | null;
}

export const FOLLOW_UP_COLUMNS = `f.id, f.org_id, f.survey_id, f.ticket_id, f.unit_id, f.csat,
  f.supervisor_ids::text[] AS supervisor_ids, f.status, f.created_at, f.completed_at, f.completed_by, f.note`;

export function toFollowUpDto(row: FollowUpRow): SurveyFollowUpDto {
  return {
    id: row.id,
    surveyId: row.survey_id,
    ticketId: row.ticket_id,
    unitId: row.unit_id,
    csat: row.csat,
    status: row.status,
    supervisorIds: row.supervisor_ids ?? [],
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    completedBy: row.completed_by,
    note: row.note,
  };
}

/** Columns of `SurveyRow` for a statement over `satisfaction_surveys s`. */
export const SURVEY_COLUMNS = `s.id, s.org_id, s.ticket_id, s.unit_id, s.agent_id, s.ticket_type, s.channel, s.customer_id,
  s.subject, s.recipient, s.nps_mode, s.sent_at, s.expires_at, s.connector, s.delivered_at, s.answered_at, s.csat,
  s.nps, s.comment, o.failed_at AS outbox_failed_at, (o.id IS NOT NULL) AS outbox_present, f.id AS follow_up_id,
  f.status AS follow_up_status, f.supervisor_ids::text[] AS follow_up_supervisor_ids,
  f.created_at AS follow_up_created_at, f.csat AS follow_up_csat, f.completed_at AS follow_up_completed_at,
  f.completed_by AS follow_up_completed_by, f.note AS follow_up_note`;
export const SURVEY_JOINS = `LEFT JOIN outbox_events o ON o.id = s.outbox_event_id
  LEFT JOIN satisfaction_follow_ups f ON f.survey_id = s.id`;

export function surveyStatus(row: Pick<SurveyRow, 'answered_at' | 'expires_at'>, now: Date): SurveyStatus {
  if (row.answered_at) return 'answered';
  return row.expires_at.getTime() <= now.getTime() ? 'expired' : 'pending';
}

function deliveryStatus(row: SurveyRow): SurveyDeliveryStatus {
  if (row.delivered_at) return 'sent';
  // A given-up event is pruned after a month; an undelivered survey without one was given up too.
  if (row.outbox_failed_at || !row.outbox_present) return 'failed';
  return 'pending';
}

export function toSurveyDto(row: SurveyRow, now: Date): SurveyDto {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    unitId: row.unit_id,
    agentId: row.agent_id,
    ticketType: row.ticket_type,
    channel: row.channel,
    customerId: row.customer_id,
    status: surveyStatus(row, now),
    npsMode: row.nps_mode,
    sentAt: row.sent_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    answeredAt: row.answered_at?.toISOString() ?? null,
    csat: row.csat,
    nps: row.nps,
    comment: row.comment,
    delivery: {
      status: deliveryStatus(row),
      connector: row.connector,
      recipient: row.recipient,
      sentAt: row.delivered_at?.toISOString() ?? null,
    },
    followUp: row.follow_up_id
      ? toFollowUpDto({
          id: row.follow_up_id,
          org_id: row.org_id,
          survey_id: row.id,
          ticket_id: row.ticket_id,
          unit_id: row.unit_id,
          csat: row.follow_up_csat ?? row.csat ?? 1,
          supervisor_ids: row.follow_up_supervisor_ids ?? [],
          status: row.follow_up_status ?? 'open',
          created_at: row.follow_up_created_at ?? row.sent_at,
          completed_at: row.follow_up_completed_at,
          completed_by: row.follow_up_completed_by,
          note: row.follow_up_note,
        })
      : null,
  };
}
