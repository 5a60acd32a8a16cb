import { Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../../../platform/errors';
import { Page, PageQueryDto, paginate } from '../../../platform/http/pagination';
import { DataScope } from '../../access/data-scope';
import { PublishAttemptDto } from './publish-attempts.dto';

interface AttemptRow {
  id: string;
  content_id: string;
  attempt: number;
  connector: string;
  outcome: PublishAttemptDto['outcome'];
  error: string | null;
  external_post_id: string | null;
  external_url: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toDto = (row: AttemptRow): PublishAttemptDto => ({
  id: row.id,
  contentId: row.content_id,
  attempt: row.attempt,
  connector: row.connector,
  outcome: row.outcome,
  error: row.error,
  externalPostId: row.external_post_id,
  externalUrl: row.external_url,
  startedAt: row.created_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
});

/** The publish attempts of one content, for whoever may read the content itself. */
@Injectable()
export class PublishAttemptsReader {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first. A content outside the caller's scope (or another tenant's, or deleted) is a 404. */
  async list(scope: DataScope, contentId: string, query: PageQueryDto): Promise<Page<PublishAttemptDto>> {
    const visible = this.dataSource
      .createQueryBuilder()
      .select('c.id', 'id')
      .from('contents', 'c')
      .where('c.id = :contentId AND c.deleted_at IS NULL', { contentId });
    scope.apply(visible, { org: 'c.org_id', unit: 'c.unit_id', owner: 'c.owner_id' });
    if (!(await visible.getRawOne())) throw DomainError.notFound('Content');

    const qb = this.dataSource
      .createQueryBuilder()
      .select(['p.id', 'p.content_id', 'p.attempt', 'p.connector', 'p.outcome', 'p.error'])
      .addSelect(['p.external_post_id', 'p.external_url', 'p.created_at', 'p.finished_at'])
      .from('content_publish_attempts', 'p')
      .where('p.content_id = :contentId', { contentId }) as SelectQueryBuilder<AttemptRow>;
    return paginate(qb, {
      query,
      sort: { key: { column: 'p.created_at', kind: 'timestamp' }, direction: 'DESC' },
      idColumn: 'p.id',
      sortValue: (row: AttemptRow) => row.created_at,
      idValue: (row) => row.id,
      map: toDto,
      fetch: (q) => q.getRawMany<AttemptRow>(),
    });
  }
}
