import {
  PublishAttachment,
  PublishConnector,
  PublishRequest,
  PublishTargetAccount,
} from './publish-connector';

/** An approved content the job is publishing, as locked in the claim's transaction. */
export interface DueContent {
  id: string;
  orgId: string;
  ownerId: string | null;
  kind: PublishRequest['kind'];
  title: string;
  body: string;
  tags: string[];
  attachments: PublishAttachment[];
  targetKind: 'platform' | 'social_account';
  targetChannel: string | null;
  targetAccountId: string | null;
  revision: number;
  /** Attempts made since it was (last) approved. */
  publishAttempts: number;
  /** An attempt still marked pending: its lease has ended, so its process died mid-call. */
  pendingAttempt: { id: string; attempt: number } | null;
}

/** A claimed attempt: committed as `pending` before the connector is called. */
export interface PublishClaim {
  content: DueContent;
  attemptId: string;
  attempt: number;
  connector: PublishConnector;
  account: PublishTargetAccount;
}

export interface DueContentRow {
  id: string;
  org_id: string;
  owner_id: string | null;
  kind: DueContent['kind'];
  title: string;
  body: string;
  tags: string[];
  attachments: PublishAttachment[];
  target_kind: DueContent['targetKind'];
  target_channel: string | null;
  target_account_id: string | null;
  revision: number;
  publish_attempts: number;
  pending_id: string | null;
  pending_attempt: number | null;
}

export const toDueContent = (row: DueContentRow): DueContent => ({
  id: row.id,
  orgId: row.org_id,
  ownerId: row.owner_id,
  kind: row.kind,
  title: row.title,
  body: row.body,
  tags: row.tags,
  attachments: row.attachments,
  targetKind: row.target_kind,
  targetChannel: row.target_channel,
  targetAccountId: row.target_account_id,
  revision: row.revision,
  publishAttempts: row.publish_attempts,
  pendingAttempt: row.pending_id ? { id: row.pending_id, attempt: row.pending_attempt ?? 0 } : null,
});
