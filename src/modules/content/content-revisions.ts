import { EntityManager } from 'typeorm';
import { Actor } from '../access/actor';
import { ContentRow } from './content-row';
import { AttachmentDto, ContentRevisionDto } from './content.dto';

/**
 * Keeps the content's current text as revision `row.revision`. The editor's role says whose hand it
 * was: the author, another member of the organization, or platform staff correcting it.
 */
export async function saveRevision(
  manager: EntityManager,
  row: ContentRow,
  actor: Actor,
  at: Date,
): Promise<void> {
  const role =
    actor.orgKind === 'platform' && actor.orgId !== row.org_id
      ? 'platform'
      : actor.userId === row.owner_id
        ? 'author'
        : 'editor';
  await manager.query(
    `INSERT INTO content_revisions (content_id, revision, title, body, attachments, category, tags, edited_by,
       editor_role, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      row.id,
      row.revision,
      row.title,
      row.body,
      JSON.stringify(row.attachments),
      row.category,
      row.tags,
      actor.userId,
      role,
      at,
    ],
  );
}

interface RevisionRow {
  revision: number;
  title: string;
  body: string;
  attachments: AttachmentDto[];
  category: string | null;
  tags: string[];
  edited_by: string | null;
  editor_role: ContentRevisionDto['editorRole'];
  created_at: Date;
}

/** Every revision of a content, newest first. */
export async function listRevisions(
  manager: EntityManager,
  contentId: string,
): Promise<ContentRevisionDto[]> {
  const rows: RevisionRow[] = await manager.query(
    `SELECT revision, title, body, attachments, category, tags, edited_by, editor_role, created_at
       FROM content_revisions WHERE content_id = $1 ORDER BY revision DESC`,
    [contentId],
  );
  return rows.map((r) => ({
    revision: r.revision,
    title: r.title,
    body: r.body,
    attachments: r.attachments,
    category: r.category,
    tags: r.tags,
    editedBy: r.edited_by,
    editorRole: r.editor_role,
    createdAt: r.created_at.toISOString(),
  }));
}
