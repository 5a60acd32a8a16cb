import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Page, PageQueryDto, paginate } from '../../platform/http/pagination';
import { Actor } from '../access/actor';
import { LoginAttempt } from './login-attempt.entity';
import { LoginHistoryEntryDto, toLoginHistoryEntryDto } from './login-history.dto';

@Injectable()
export class LoginHistoryService {
  constructor(private readonly dataSource: DataSource) {}

  /** The signed-in user's own login attempts, newest first. */
  async list(actor: Actor, query: PageQueryDto): Promise<Page<LoginHistoryEntryDto>> {
    const userId = actor.userId;
    if (!userId)
      throw new DomainError(ErrorCode.Unauthenticated, 'Only a signed-in user has a login history');
    const qb = this.dataSource
      .getRepository(LoginAttempt)
      .createQueryBuilder('a')
      .where('a.user_id = :userId', { userId });
    return paginate(qb, {
      query,
      sort: { key: { column: 'a.created_at', kind: 'timestamp' }, direction: 'DESC' },
      idColumn: 'a.id',
      sortValue: (a) => a.createdAt,
      idValue: (a) => a.id,
      map: toLoginHistoryEntryDto,
    });
  }
}
