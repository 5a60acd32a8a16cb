import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Something that must learn when a particular query builder's statement succeeded: a predicate added
 * to a query (such as the access check a data scope carries) only counts once that statement ran.
 * Whoever executes a builder it was handed (pagination does) reports success here.
 */
const waiting = new WeakMap<object, (() => void)[]>();

export function whenStatementSucceeds<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  listener: () => void,
): void {
  const listeners = waiting.get(qb);
  if (listeners) listeners.push(listener);
  else waiting.set(qb, [listener]);
}

export function statementSucceeded<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): void {
  const listeners = waiting.get(qb);
  if (!listeners) return;
  waiting.delete(qb);
  for (const listener of listeners) listener();
}
