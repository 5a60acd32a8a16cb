import { EntityManager } from 'typeorm';
import { DomainError } from '../../platform/errors';
import { DataScope } from '../access/data-scope';
import { ContentRow } from './content-row';

/**
 * A content of the scope's organization that the scope covers (by its unit and its author), else 404:
 * another tenant's content and content outside the caller's scope look the same.
 */
export async function contentInScope(
  manager: EntityManager,
  scope: DataScope,
  contentId: string,
  options: { lock?: boolean } = {},
): Promise<ContentRow> {
  const rows: (ContentRow & { unit_path: string })[] = await manager.query(
    `SELECT c.*, u.path::text AS unit_path FROM contents c JOIN org_units u ON u.id = c.unit_id
     WHERE c.id = $1 AND c.org_id = $2 AND c.deleted_at IS NULL${options.lock ? ' FOR UPDATE OF c' : ''}`,
    [contentId, scope.orgId],
  );
  const row = rows[0];
  if (!row || !scope.permits({ unitPath: row.unit_path, ownerId: row.owner_id })) {
    throw DomainError.notFound('Content');
  }
  return row;
}
