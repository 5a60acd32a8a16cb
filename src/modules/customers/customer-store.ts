import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { ContactKind } from './contact-points';

/**
 * Serialises writers of the same contact value in one organization (two tickets from one new phone,
 * a create racing a resolve), so the "live contact value is unique" rule answers 409 or finds the
 * existing profile instead of failing on the unique index.
 */
export async function lockContactValues(
  manager: EntityManager,
  orgId: string,
  points: readonly { kind: ContactKind; value: string }[],
): Promise<void> {
  const keys = [...new Set(points.map((p) => `customer:${orgId}:${p.kind}:${p.value}`))].sort();
  for (const key of keys) {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
  }
}

/** 409 when a live customer of the organization already holds one of these values. */
export async function assertContactValuesFree(
  manager: EntityManager,
  orgId: string,
  points: readonly { kind: ContactKind; value: string; field: string }[],
): Promise<void> {
  if (points.length === 0) return;
  const taken: { kind: string; value: string }[] = await manager.query(
    `SELECT kind, value FROM customer_contact_points
      WHERE org_id = $1 AND retired_at IS NULL
        AND (kind, value) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [orgId, points.map((p) => p.kind), points.map((p) => p.value)],
  );
  const clash = points.find((p) => taken.some((t) => t.kind === p.kind && t.value === p.value));
  if (clash) {
    throw new DomainError(ErrorCode.Duplicate, 'Another customer already has that contact point', {
      errors: [{ field: clash.field, message: `this ${clash.kind} belongs to another customer` }],
    });
  }
}
