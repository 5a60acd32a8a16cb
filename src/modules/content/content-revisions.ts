import { EntityManager } from 'typeorm';
import { Actor } from '../access/actor';
import { ContentRow } from './content-row';

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
