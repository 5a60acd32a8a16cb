import { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of a raw statement. TypeORM's postgres driver answers UPDATE and DELETE with `[rows, affected]`
 * rather than the rows, which silently breaks `RETURNING`; this reads both shapes.
 */
export async function queryRows<T>(
  db: DataSource | EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const raw: unknown = await db.query(sql, params);
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') {
    return raw[0] as T[];
  }
  return raw as T[];
}
