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

/**
 * Keyset pagination over (sort column, id): stable under concurrent inserts and index friendly.
 * The scope predicate must already be on the query builder, so paging happens after filtering.
 */
export async function paginate<E extends ObjectLiteral, T, R = E>(
  qb: SelectQueryBuilder<E>,
  options: {
    query: PageQueryDto;
    sort: SortSpec;
    idColumn: string;
    /** Reads the sort value of a row for the next cursor. */
    sortValue: (row: R) => Date | string | number | null;
    idValue: (row: R) => string;
    map: (row: R) => T;
    /** How rows are read: entities by default; `(q) => q.getRawMany()` for hand-picked columns. */
    fetch?: (qb: SelectQueryBuilder<E>) => Promise<R[]>;
  },
): Promise<Page<T>> {
  const limit = options.query.limit ?? DEFAULT_PAGE_SIZE;
  const { key, direction } = options.sort;
  const cmp = direction === 'ASC' ? '>' : '<';
  // Cursors carry JavaScript dates (milliseconds) while timestamptz keeps microseconds: compare and
  // order on the millisecond value, or rows sharing a boundary millisecond would be skipped. Columns
  // stored at millisecond precision need no truncation (and keep their index usable).
  const column =
    key.kind === 'timestamp' && !key.milliseconds ? `date_trunc('milliseconds', ${key.column})` : key.column;
  if (options.query.cursor) {
    const cursor = decodeCursor(options.query.cursor);
    const cast = key.kind === 'timestamp' ? '::timestamptz' : key.kind === 'number' ? '::numeric' : '';
    // A row comparison, (sort, id) after (value, id): the same rows as "sort after value, or equal with
    // a greater id", and a btree index on (…, sort, id) can seek to it instead of filtering up to it.
    qb.andWhere(`(${column}, ${options.idColumn}) ${cmp} (:__cursorValue${cast}, :__cursorId)`, {
      __cursorValue: cursor.v,
      __cursorId: cursor.id,
    });
  }
  qb.orderBy(column, direction)
    .addOrderBy(options.idColumn, direction)
    .limit(limit + 1);
  const rows = options.fetch ? await options.fetch(qb) : ((await qb.getMany()) as unknown as R[]);
  statementSucceeded(qb);
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
