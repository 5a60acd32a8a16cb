import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DataScope } from '../../modules/access/data-scope';
import { DomainError } from '../errors';
import { Page, paginate } from '../http/pagination';
import { OperationLog, OperationResult } from './operation-log.entity';
import { ListOperationLogsQueryDto, OperationLogDto, toOperationLogDto } from './operation-logs.dto';

/** What the interceptor (or a module recording an operation itself) appends. */
export interface OperationLogEntry {
  orgId: string | null;
  actorUserId: string | null;
  apiKeyId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  method: string;
  route: string;
  path: string;
  statusCode: number;
  result: OperationResult;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

/** ISO 8601 also has forms (week dates, ordinal dates) that Date cannot read: refuse those plainly. */
function parseTime(field: string, value: string | undefined): Date | null {
  if (!value) return null;
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw DomainError.validation(field, `${field} must be an ISO 8601 date-time`);
  return time;
}

@Injectable()
export class OperationLogsService {
  constructor(private readonly dataSource: DataSource) {}

  /** One INSERT, outside any transaction: the record stays even when the operation rolled back. */
  async record(entry: OperationLogEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO operation_logs
         (org_id, actor_user_id, api_key_id, action, target_type, target_id, method, route, path, status_code,
          result, ip, user_agent, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        entry.orgId,
        entry.actorUserId,
        entry.apiKeyId,
        entry.action.slice(0, 100),
        entry.targetType?.slice(0, 64) ?? null,
        entry.targetId,
        entry.method.slice(0, 10),
        entry.route.slice(0, 300),
        entry.path.slice(0, 2048),
        entry.statusCode,
        entry.result,
        entry.ip?.slice(0, 64) ?? null,
        entry.userAgent?.slice(0, 512) ?? null,
        entry.requestId.slice(0, 128),
      ],
    );
  }

  /**
   * Several entries in one multi-row INSERT (all or none), outside any transaction like `record`: e.g.
   * one entry per customer an unmasked list answered with.
   */
  async recordMany(entries: readonly OperationLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const params: unknown[] = [];
    const rows = entries.map((entry) => {
      const values = [
        entry.orgId,
        entry.actorUserId,
        entry.apiKeyId,
        entry.action.slice(0, 100),
        entry.targetType?.slice(0, 64) ?? null,
        entry.targetId,
        entry.method.slice(0, 10),
        entry.route.slice(0, 300),
        entry.path.slice(0, 2048),
        entry.statusCode,
        entry.result,
        entry.ip?.slice(0, 64) ?? null,
        entry.userAgent?.slice(0, 512) ?? null,
        entry.requestId.slice(0, 128),
      ];
      const placeholders = values.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await this.dataSource.query(
      `INSERT INTO operation_logs
         (org_id, actor_user_id, api_key_id, action, target_type, target_id, method, route, path, status_code,
          result, ip, user_agent, request_id)
       VALUES ${rows.join(', ')}`,
      params,
    );
  }

  /**
   * The organization's log, newest first. Rows carry no unit, so an `org` scope sees every row and a
   * `self` scope sees the caller's own operations; unit and subtree scopes see none.
   */
  async list(scope: DataScope, query: ListOperationLogsQueryDto): Promise<Page<OperationLogDto>> {
    const from = parseTime('from', query.from);
    const to = parseTime('to', query.to);
    if (from && to && from > to) throw DomainError.validation('to', 'must not be before from');

    const qb = this.dataSource.getRepository(OperationLog).createQueryBuilder('l');
    scope.apply(qb, { org: 'l.org_id', owner: 'l.actor_user_id' });
    if (query.actorUserId) qb.andWhere('l.actor_user_id = :actorUserId', { actorUserId: query.actorUserId });
    if (query.apiKeyId) qb.andWhere('l.api_key_id = :apiKeyId', { apiKeyId: query.apiKeyId });
    if (query.action) qb.andWhere('l.action = :action', { action: query.action });
    if (query.targetId) qb.andWhere('l.target_id = :targetId', { targetId: query.targetId });
    if (query.result) qb.andWhere('l.result = :result', { result: query.result });
    if (from) qb.andWhere('l.created_at >= :from', { from });
    if (to) qb.andWhere('l.created_at <= :to', { to });
    return paginate(qb, {
      query,
      sort: { key: { column: 'l.created_at', kind: 'timestamp' }, direction: 'DESC' },
      idColumn: 'l.id',
      sortValue: (l) => l.createdAt,
      idValue: (l) => l.id,
      map: toOperationLogDto,
    });
  }
}
