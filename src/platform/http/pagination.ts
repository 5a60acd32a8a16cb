import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../errors';
import { statementSucceeded } from '../database/statement-outcomes';
import { hasControlCharacter } from './validation';
import { Optional } from '../../common/validation';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
const CURSOR_MAX_LENGTH = 512;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Query parameters every list endpoint accepts. Module list DTOs extend it with their filters. */
export class PageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: 'Page size',
  })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's `nextCursor`" })
  @Optional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  @Matches(CURSOR_PATTERN, { message: 'cursor is not a valid cursor' })
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Swagger needs a concrete class per item type; `PageOf(MemberDto)` makes one. */
export function PageOf<T>(item: new (...args: never[]) => T) {
  class PageDto {
    @ApiProperty({ type: item, isArray: true })
    items: T[];

    @ApiPropertyOptional({
      type: String,
      nullable: true,
      description: 'Cursor of the next page; null on the last',
    })
    nextCursor: string | null;
  }
  Object.defineProperty(PageDto, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return PageDto;
}

export interface SortKey {
  /** SQL expression of the sort column, e.g. `m.created_at`. */
  column: string;
  /** How a cursor value is read back: timestamps travel as ISO strings. */
  kind: 'timestamp' | 'text' | 'number';
  /**
   * A `timestamp` column stored at millisecond precision (`timestamptz(3)`), the precision of cursors:
   * it is compared and ordered as is, so an index on (…, column, id) serves both the order and the seek.
   */
  milliseconds?: boolean;
}

export interface SortSpec {
  key: SortKey;
  direction: 'ASC' | 'DESC';
}

/**
 * Parses `?sort=createdAt` / `?sort=-createdAt` against the keys a list allows.
 * Unknown keys are a 400 that names the allowed ones.
 */
export function parseSort(
  raw: string | undefined,
  allowed: Record<string, SortKey>,
  fallback: string,
): SortSpec {
  const value = raw ?? fallback;
  const direction = value.startsWith('-') ? 'DESC' : 'ASC';
  const name = value.replace(/^[-+]/, '');
  const key = allowed[name];
  if (!key)
    throw DomainError.validation(
      'sort',
      `must be one of ${Object.keys(allowed).join(', ')} (prefix - for descending)`,
    );
  return { key, direction };
}

interface CursorPayload {
  v: string | number | null;
  id: string;
}

const encodeCursor = (payload: CursorPayload) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function decodeCursor(cursor: string): CursorPayload {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPayload;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.id !== 'string')
      throw new Error('shape');
    const { v } = parsed;
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') throw new Error('shape');
    // A cursor is ours only in shape: its values reach SQL, so they get the checks any input gets.
    if (hasControlCharacter(parsed.id) || (typeof v === 'string' && hasControlCharacter(v)))
      throw new Error('control character');
    return parsed;
  } catch {
    throw DomainError.validation('cursor', 'is not a valid cursor');
  }
}

/** Binds a value to a statement and answers its placeholder (`:name` for a builder, `$n` for raw SQL). */
export type Bind = (name: string, value: unknown) => string;

/** Seek, order and limit of one keyset page, as SQL fragments written with a `Bind`. */
interface Keyset {
  seek: string | null;
  /** The sort expression (truncated to milliseconds where the column is not) and its direction. */
  column: string;
  direction: 'ASC' | 'DESC';
  limit: number;
}

/**
 * Keyset pagination over (sort column, id): stable under concurrent inserts and index friendly. The
 * clauses both front-ends (`paginate` for a query builder, `paginateSql` for a fixed statement) share.
 */
function keysetOf(query: PageQueryDto, sort: SortSpec, idColumn: string, bind: Bind): Keyset {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const { key, direction } = sort;
  const cmp = direction === 'ASC' ? '>' : '<';
  // Cursors carry JavaScript dates (milliseconds) while timestamptz keeps microseconds: compare and
  // order on the millisecond value, or rows sharing a boundary millisecond would be skipped. Columns
  // stored at millisecond precision need no truncation (and keep their index usable).
  const column =
    key.kind === 'timestamp' && !key.milliseconds ? `date_trunc('milliseconds', ${key.column})` : key.column;
  let seek: string | null = null;
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    const cast = key.kind === 'timestamp' ? '::timestamptz' : key.kind === 'number' ? '::numeric' : '';
    // A row comparison, (sort, id) after (value, id): the same rows as "sort after value, or equal with
    // a greater id", and a btree index on (…, sort, id) can seek to it instead of filtering up to it.
    seek = `(${column}, ${idColumn}) ${cmp} (${bind('__cursorValue', cursor.v)}${cast}, ${bind('__cursorId', cursor.id)})`;
  }
  return { seek, column, direction, limit };
}

interface PageOptions<T, R> {
  query: PageQueryDto;
  sort: SortSpec;
  idColumn: string;
  /** Reads the sort value of a row for the next cursor. */
  sortValue: (row: R) => Date | string | number | null;
  idValue: (row: R) => string;
  map: (row: R) => T;
}

function pageOf<T, R>(rows: R[], limit: number, options: PageOptions<T, R>): Page<T> {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  let nextCursor: string | null = null;
  if (hasMore && last) {
    const value = options.sortValue(last);
    nextCursor = encodeCursor({
      v: value instanceof Date ? value.toISOString() : value,
      id: options.idValue(last),
    });
  }
  return { items: page.map(options.map), nextCursor };
}

/**
 * A keyset page of a query builder. The scope predicate must already be on the query builder, so
 * paging happens after filtering.
 */
export async function paginate<E extends ObjectLiteral, T, R = E>(
  qb: SelectQueryBuilder<E>,
  options: PageOptions<T, R> & {
    /** How rows are read: entities by default; `(q) => q.getRawMany()` for hand-picked columns. */
    fetch?: (qb: SelectQueryBuilder<E>) => Promise<R[]>;
  },
): Promise<Page<T>> {
  const keyset = keysetOf(options.query, options.sort, options.idColumn, (name, value) => {
    qb.setParameter(name, value);
    return `:${name}`;
  });
  if (keyset.seek) qb.andWhere(keyset.seek);
  qb.orderBy(keyset.column, keyset.direction)
    .addOrderBy(options.idColumn, keyset.direction)
    .limit(keyset.limit + 1);
  const rows = options.fetch ? await options.fetch(qb) : ((await qb.getMany()) as unknown as R[]);
  statementSucceeded(qb);
  return pageOf(rows, keyset.limit, options);
}

/**
 * A keyset page of a fixed statement written in SQL, for the hottest lists: building a query with
 * the query builder cost a tenth of such a request's CPU. `where` are the statement's conditions with
 * `$n` placeholders of `values` (a scope's from `DataScope.predicate`), which this extends with the
 * cursor's; `run` executes the final text, e.g. as a named prepared statement.
 */
export async function paginateSql<T, R>(
  statement: { select: string; where: string[]; values: unknown[] },
  run: (text: string, values: unknown[]) => Promise<R[]>,
  options: PageOptions<T, R>,
): Promise<Page<T>> {
  const values = [...statement.values];
  const keyset = keysetOf(options.query, options.sort, options.idColumn, (_name, value) => {
    values.push(value);
    return `$${values.length}`;
  });
  const where = keyset.seek ? [...statement.where, keyset.seek] : statement.where;
  const text =
    `${statement.select}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${keyset.column} ${keyset.direction}, ${options.idColumn} ${keyset.direction}` +
    ` LIMIT ${keyset.limit + 1}`;
  return pageOf(await run(text, values), keyset.limit, options);
}
