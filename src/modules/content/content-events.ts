import { EntityManager } from 'typeorm';
import { Actor } from '../access/actor';
import { ContentState } from './content-state';
import { FindingDto } from './content.dto';
import { ContentEventDto } from './review-task.dto';

export interface ContentEvent {
  contentId: string;
  orgId: string;
  from: ContentState | null;
  to: ContentState;
  /** What happened, e.g. `created`, `submitted`, `review.approved`, `published`, `removed`. */
  action: string;
  /** Who did it; null for the system (a job). */
  actor: Actor | null;
  reasonCode?: string | null;
  note?: string | null;
  findings?: unknown[] | null;
  revision: number;
}

/**
 * Appends one entry to a content's history (what reviewers see). Call it in the transaction that
 * changes the state, right after the change, so history and state never disagree.
 */
export async function recordContentEvent(
  manager: EntityManager,
  event: ContentEvent,
  at: Date,
): Promise<void> {
  await manager.query(
    `INSERT INTO content_events
       (content_id, org_id, from_state, to_state, action, actor_user_id, actor_org_id, reason_code, note, findings,
        revision, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      event.contentId,
      event.orgId,
      event.from,
      event.to,
      event.action,
      event.actor?.userId ?? null,
      event.actor?.orgId ?? null,
      event.reasonCode ?? null,
      event.note ?? null,
      event.findings ? JSON.stringify(event.findings) : null,
      event.revision,
      at,
    ],
  );
}

interface EventRow {
  from_state: string | null;
  to_state: string;
  action: string;
  actor_user_id: string | null;
  reason_code: string | null;
  note: string | null;
  findings: FindingDto[] | null;
  revision: number;
  created_at: Date;
}

/** A content's history, oldest first. */
export async function contentHistory(manager: EntityManager, contentId: string): Promise<ContentEventDto[]> {
  const rows: EventRow[] = await manager.query(
    `SELECT from_state, to_state, action, actor_user_id, reason_code, note, findings, revision, created_at
       FROM content_events WHERE content_id = $1 ORDER BY seq`,
    [contentId],
  );
  return rows.map((e) => ({
    fromState: e.from_state,
    toState: e.to_state,
    action: e.action,
    actorUserId: e.actor_user_id,
    reasonCode: e.reason_code,
    note: e.note,
    findings: e.findings,
    revision: e.revision,
    at: e.created_at.toISOString(),
  }));
}
