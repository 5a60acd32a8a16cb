import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../../platform/database/query-rows';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { assertIfMatch, Versioned } from '../../platform/http/etag';
import { Page, paginate, PageQueryDto } from '../../platform/http/pagination';
import { DataScope } from '../access/data-scope';
import { CannedReplyDto, CreateCannedReplyDto, UpdateCannedReplyDto } from './canned-reply.dto';
import { TicketRow } from './ticket-row';

const PLACEHOLDER = /\{\{\s*([a-zA-Z.]+)\s*\}\}/g;

/** What each placeholder reads from the ticket. Plain replacement: no logic in templates, nothing to escape. */
const PLACEHOLDERS: Record<string, (t: TicketRow) => string> = {
  'customer.name': (t) => t.contact?.name ?? '',
  'customer.company': (t) => t.contact?.company ?? '',
  'ticket.subject': (t) => t.subject,
  'ticket.orderRef': (t) => t.order_ref ?? '',
  'ticket.productRef': (t) => t.product_ref ?? '',
};

const placeholdersOf = (body: string) => [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]))];

export function renderCannedReply(body: string, ticket: TicketRow): string {
  return body.replace(PLACEHOLDER, (whole, name: string) => PLACEHOLDERS[name]?.(ticket) ?? whole);
}

function assertKnownPlaceholders(body: string): void {
  const unknown = placeholdersOf(body).filter((name) => !(name in PLACEHOLDERS));
  if (unknown.length > 0) {
    throw DomainError.validation(
      'body',
      `unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')}; use ${Object.keys(PLACEHOLDERS)
        .map((n) => `{{${n}}}`)
        .join(', ')}`,
    );
  }
}

interface CannedRow {
  id: string;
  name: string;
  body: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const toDto = (r: CannedRow): CannedReplyDto => ({
  id: r.id,
  name: r.name,
  body: r.body,
  placeholders: placeholdersOf(r.body),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** The organization's canned replies: one text per common answer, used by id when replying. */
@Injectable()
export class CannedRepliesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  list(scope: DataScope, query: PageQueryDto): Promise<Page<CannedReplyDto>> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select('c.*')
      .from('canned_replies', 'c')
      .where('c.org_id = :orgId', { orgId: scope.orgId });
    return paginate(qb, {
      query,
      sort: { key: { column: 'c.name', kind: 'text' }, direction: 'ASC' },
      idColumn: 'c.id',
      fetch: (q) => q.getRawMany<CannedRow>(),
      sortValue: (r) => r.name,
      idValue: (r) => r.id,
      map: toDto,
    });
  }

  async get(scope: DataScope, id: string): Promise<Versioned<CannedReplyDto>> {
    const row = await this.load(scope.orgId, id);
    return new Versioned(toDto(row), row.version);
  }

  async create(
    scope: DataScope,
    userId: string | null,
    dto: CreateCannedReplyDto,
  ): Promise<Versioned<CannedReplyDto>> {
    assertKnownPlaceholders(dto.body);
    const now = this.clock.now();
    const rows: CannedRow[] = await this.dataSource.query(
      `INSERT INTO canned_replies (org_id, name, body, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5) RETURNING *`,
      [scope.orgId, dto.name, dto.body, userId, now],
    );
    return new Versioned(toDto(rows[0]), rows[0].version);
  }

  async update(
    scope: DataScope,
    id: string,
    dto: UpdateCannedReplyDto,
    ifMatch?: string,
  ): Promise<Versioned<CannedReplyDto>> {
    return this.dataSource.transaction(async (manager) => {
      const before = await this.load(scope.orgId, id, manager, true);
      assertIfMatch(ifMatch, before.version);
      if (dto.body !== undefined) assertKnownPlaceholders(dto.body);
      const rows = await queryRows<CannedRow>(
        manager,
        `UPDATE canned_replies SET name = $2, body = $3, updated_at = $4, version = version + 1 WHERE id = $1
         RETURNING *`,
        [id, dto.name ?? before.name, dto.body ?? before.body, this.clock.now()],
      );
      return new Versioned(toDto(rows[0]), rows[0].version);
    });
  }

  async delete(scope: DataScope, id: string): Promise<void> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      'DELETE FROM canned_replies WHERE id = $1 AND org_id = $2 RETURNING id',
      [id, scope.orgId],
    );
    if (rows.length === 0) throw DomainError.notFound('Canned reply');
  }

  private async load(orgId: string, id: string, manager = this.dataSource.manager, lock = false) {
    const rows: CannedRow[] = await manager.query(
      `SELECT * FROM canned_replies WHERE id = $1 AND org_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [id, orgId],
    );
    if (!rows[0]) throw DomainError.notFound('Canned reply');
    return rows[0];
  }
}
