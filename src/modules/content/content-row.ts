import { EntityManager } from 'typeorm';
import { DomainError } from '../../platform/errors';
import { AttachmentDto, ContentDto, ContentKind, FindingDto, PublicContentDto } from './content.dto';
import { ContentState } from './content-state';

/** A `contents` row as the services read it (raw SQL, snake_case). */
export interface ContentRow {
  id: string;
  org_id: string;
  unit_id: string;
  owner_id: string | null;
  kind: ContentKind;
  title: string;
  body: string;
  attachments: AttachmentDto[];
  category: string | null;
  tags: string[];
  target_kind: 'platform' | 'social_account';
  target_channel: string | null;
  target_account_id: string | null;
  publish_at: Date | null;
  state: ContentState;
  state_changed_at: Date;
  revision: number;
  findings: FindingDto[];
  sort_weight: number;
  recommended: boolean;
  featured: boolean;
  pinned: boolean;
  pinned_until: Date | null;
  published_at: Date | null;
  last_publish_error: string | null;
  removed_at: Date | null;
  removal_reason_code: string | null;
  removal_note: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** A pin counts until its end time; the row keeps the flag so the end can be read back. */
export const isPinned = (row: Pick<ContentRow, 'pinned' | 'pinned_until'>, now: Date) =>
  row.pinned && (row.pinned_until === null || row.pinned_until.getTime() > now.getTime());

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toContentDto(row: ContentRow, now: Date): ContentDto {
  return {
    id: row.id,
    orgId: row.org_id,
    unitId: row.unit_id,
    ownerId: row.owner_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    attachments: row.attachments,
    category: row.category,
    tags: row.tags,
    target: { kind: row.target_kind, channel: row.target_channel, accountId: row.target_account_id },
    publishAt: iso(row.publish_at),
    state: row.state,
    stateChangedAt: row.state_changed_at.toISOString(),
    revision: row.revision,
    findings: row.findings,
    sortWeight: row.sort_weight,
    recommended: row.recommended,
    featured: row.featured,
    pinned: isPinned(row, now),
    pinnedUntil: iso(row.pinned_until),
    publishedAt: iso(row.published_at),
    lastPublishError: row.last_publish_error,
    removedAt: iso(row.removed_at),
    removalReasonCode: row.removal_reason_code,
    removalNote: row.removal_note,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toPublicContentDto(row: ContentRow, now: Date): PublicContentDto {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    attachments: row.attachments,
    category: row.category,
    tags: row.tags,
    channel: row.target_channel ?? '',
    recommended: row.recommended,
    featured: row.featured,
    pinned: isPinned(row, now),
    sortWeight: row.sort_weight,
    publishedAt: (row.published_at ?? row.state_changed_at).toISOString(),
  };
}

/** Loads one live (not deleted) content row by id, optionally locking it; 404 when absent. */
export async function loadContent(
  manager: EntityManager,
  id: string,
  options: { lock?: boolean; orgId?: string } = {},
): Promise<ContentRow> {
  const rows: ContentRow[] = await manager.query(
    `SELECT * FROM contents WHERE id = $1 AND deleted_at IS NULL${options.orgId ? ' AND org_id = $2' : ''}
     ${options.lock ? 'FOR UPDATE' : ''}`,
    options.orgId ? [id, options.orgId] : [id],
  );
  if (!rows[0]) throw DomainError.notFound('Content');
  return rows[0];
}
