import { Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DomainError } from '../../../platform/errors';
import { Page, paginate } from '../../../platform/http/pagination';
import { DataScope } from '../../access/data-scope';
import { AccountAccess, SocialAccountAccess } from '../account-access.service';
import { csvHeader, csvRecord } from './usage-csv';
import { RECORD_COLUMNS, UsageRecordRow } from './usage-record-row';
import { dateFromMicros } from './usage-chain';
import { ListUsageRecordsQueryDto, UsageRecordDto, UsageRecordFiltersDto } from './usage-records.dto';

const EXPORT_BATCH = 500;

export interface UsageExport {
  filename: string;
  stream: Readable;
}

/** ISO 8601 also has forms (week dates, ordinal dates) that Date cannot read: refuse those plainly. */
function parseTime(field: string, value: string | undefined): Date | null {
  if (!value) return null;
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw DomainError.validation(field, `${field} must be an ISO 8601 date-time`);
  return time;
}

export function toUsageRecordDto(row: UsageRecordRow): UsageRecordDto {
  return {
    id: row.id,
    accountId: row.account_id,
    seq: Number(row.seq),
    action: row.action,
    brandOrgId: row.brand_org_id,
    actorUserId: row.actor_user_id,
    apiKeyId: row.api_key_id,
    actorOrgId: row.actor_org_id,
    agencyOrgId: row.agency_org_id,
    ip: row.ip,
    requestId: row.request_id,
    occurredAt: dateFromMicros(row.occurred_at_micros).toISOString(),
    occurredAtMicros: row.occurred_at_micros,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Reads an account's usage records for the brand that owns it and for agencies. The access rule comes
 * first (404 / 403 before anything is read); then the brand sees every record of the account and an
 * agency only the records that concern it (agency_org_id = the agency), filtered in SQL before paging.
 */
@Injectable()
export class UsageRecordsReader {
  private readonly logger = new Logger('UsageRecordsExport');

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: SocialAccountAccess,
    private readonly clock: Clock,
  ) {}

  /** Newest first (by seq), cursor-paginated. */
  async list(
    scope: DataScope,
    accountId: string,
    query: ListUsageRecordsQueryDto,
  ): Promise<Page<UsageRecordDto>> {
    const qb = await this.filtered(scope, accountId, query);
    return paginate(qb, {
      query,
      // `text`: the cursor keeps seq as a string, which PostgreSQL reads as a bigint, so the comparison
      // stays on the (account_id, seq) index (the `number` kind would compare as numeric).
      sort: { key: { column: 'r.seq', kind: 'text' }, direction: 'DESC' },
      idColumn: 'r.id',
      sortValue: (row: UsageRecordRow) => row.seq,
      idValue: (row) => row.id,
      map: toUsageRecordDto,
      fetch: (q) => q.getRawMany<UsageRecordRow>(),
    });
  }

  /**
   * A CSV of the records the caller may read, oldest first (chain order), streamed: rows are read in
   * keyset batches as the client consumes them, never all at once. The export covers the records that
   * existed when it started, so a long download is a consistent prefix of the chain.
   */
  async export(scope: DataScope, accountId: string, filters: UsageRecordFiltersDto): Promise<UsageExport> {
    const base = await this.filtered(scope, accountId, filters);
    const [{ last }]: { last: string | null }[] = await this.dataSource.query(
      `SELECT max(seq)::text AS last FROM account_usage_records WHERE account_id = $1`,
      [accountId],
    );
    const stamp = this.clock
      .now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const batches = async function* (logger: Logger): AsyncGenerator<string> {
      yield csvHeader();
      let after = '0';
      while (last !== null) {
        let rows: UsageRecordRow[];
        try {
          rows = await base
            .clone()
            .andWhere('r.seq > :after AND r.seq <= :last', { after, last })
            .orderBy('r.seq', 'ASC')
            .limit(EXPORT_BATCH)
            .getRawMany<UsageRecordRow>();
        } catch (error) {
          // The headers are gone: all that is left is to cut the download short, which the client sees.
          logger.error({ err: error, accountId }, 'Usage-record export failed mid-stream');
          throw error;
        }
        if (rows.length === 0) return;
        yield rows.map(csvRecord).join('');
        if (rows.length < EXPORT_BATCH) return;
        after = rows[rows.length - 1].seq;
      }
    };
    return {
      filename: `usage-records-${accountId.toLowerCase()}-${stamp}.csv`,
      stream: Readable.from(batches(this.logger)),
    };
  }

  /** Access first, then the query with the caller's row filter and the request's filters. */
  private async filtered(
    scope: DataScope,
    accountId: string,
    filters: UsageRecordFiltersDto,
  ): Promise<SelectQueryBuilder<UsageRecordRow>> {
    const from = parseTime('from', filters.from);
    const to = parseTime('to', filters.to);
    if (from && to && from > to) throw DomainError.validation('to', 'must not be before from');
    const access = await this.access.require(scope, accountId, { operable: false });

    const qb = this.dataSource
      .createQueryBuilder()
      .from('account_usage_records', 'r') as SelectQueryBuilder<UsageRecordRow>;
    qb.select(RECORD_COLUMNS[0][0], RECORD_COLUMNS[0][1]);
    for (const [expr, alias] of RECORD_COLUMNS.slice(1)) qb.addSelect(expr, alias);
    qb.where('r.account_id = :accountId', { accountId: access.accountId });
    applyRowVisibility(qb, access);
    if (filters.action) qb.andWhere('r.action = :action', { action: filters.action });
    if (filters.actorUserId)
      qb.andWhere('r.actor_user_id = :actorUserId', { actorUserId: filters.actorUserId });
    if (from) qb.andWhere('r.occurred_at >= :from::timestamptz', { from: from.toISOString() });
    if (to) qb.andWhere('r.occurred_at <= :to::timestamptz', { to: to.toISOString() });
    return qb;
  }
}

/** The owning brand reads the whole chain; an agency reads the records that name it. */
function applyRowVisibility(qb: SelectQueryBuilder<UsageRecordRow>, access: AccountAccess): void {
  if (access.via === 'agency')
    qb.andWhere('r.agency_org_id = :agencyOrgId', { agencyOrgId: access.agencyOrgId });
}
