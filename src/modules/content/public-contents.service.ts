import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { DEFAULT_PAGE_SIZE, Page } from '../../platform/http/pagination';
import { ContentRow, isPinned, toPublicContentDto } from './content-row';
import { PublicContentDto, PublicListQueryDto } from './content.dto';

interface CursorKey {
  pinned: number;
  weight: number;
  publishedAt: string;
  id: string;
}

const LIVE = `c.state IN ('published', 'restored') AND c.target_kind = 'platform' AND c.deleted_at IS NULL`;
/** A pin past its end no longer counts, without a job having to unpin it. */
const PINNED_NOW = `(CASE WHEN c.pinned AND (c.pinned_until IS NULL OR c.pinned_until > $1) THEN 1 ELSE 0 END)`;

/**
 * The listing frontends show without signing in: published platform content, pinned first, then by
 * sort weight, then newest. The order has four keys, so the cursor carries all four (a row comparison
 * keeps paging stable while items are added).
 */
@Injectable()
export class PublicContentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(query: PublicListQueryDto): Promise<Page<PublicContentDto>> {
    const now = this.clock.now();
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const params: unknown[] = [now];
    const where = [LIVE];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.category) add('c.category = ?', query.category);
    if (query.channel) add('c.target_channel = ?', query.channel);
    if (query.recommended !== undefined) add('c.recommended = ?', query.recommended);
    if (query.featured !== undefined) add('c.featured = ?', query.featured);
    if (query.cursor) {
      const key = decodeCursor(query.cursor);
      params.push(key.pinned, key.weight, key.publishedAt, key.id);
      const n = params.length;
      where.push(
        `(${PINNED_NOW}, c.sort_weight, COALESCE(c.published_at, c.state_changed_at), c.id) < ($${n - 3}::int, $${n - 2}::int, $${n - 1}::timestamptz, $${n}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows: ContentRow[] = await this.dataSource.query(
      `SELECT c.* FROM contents c WHERE ${where.join(' AND ')}
       ORDER BY ${PINNED_NOW} DESC, c.sort_weight DESC, COALESCE(c.published_at, c.state_changed_at) DESC, c.id DESC
       LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => toPublicContentDto(row, now)),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({
              pinned: isPinned(last, now) ? 1 : 0,
              weight: last.sort_weight,
              publishedAt: (last.published_at ?? last.state_changed_at).toISOString(),
              id: last.id,
            })
          : null,
    };
  }

  async get(id: string): Promise<PublicContentDto> {
    const rows: ContentRow[] = await this.dataSource.query(
      `SELECT c.* FROM contents c WHERE c.id = $1 AND ${LIVE}`,
      [id],
    );
    if (!rows[0]) throw DomainError.notFound('Content');
    return toPublicContentDto(rows[0], this.clock.now());
  }
}

const encodeCursor = (key: CursorKey) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string): CursorKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorKey;
    const valid =
      Number.isInteger(key.pinned) &&
      Number.isInteger(key.weight) &&
      !Number.isNaN(Date.parse(key.publishedAt)) &&
      /^[0-9a-f-]{36}$/i.test(key.id);
    if (valid) return key;
  } catch {
    // fall through to the validation error
  }
  throw DomainError.validation('cursor', 'cursor is not a valid cursor');
}
