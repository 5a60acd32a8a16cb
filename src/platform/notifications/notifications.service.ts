import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { DomainError } from '../errors';
import { Page, paginate } from '../http/pagination';
import { Notification } from './notification.entity';
import { NotificationRequest } from './notification-request';
import { ListNotificationsQueryDto, NotificationDto, toNotificationDto } from './notifications.dto';
import { OutboxService } from './outbox/outbox.service';
import { OutboxEnvelope } from './outbox/outbox.types';

export const NOTIFICATION_REQUESTED = 'notification.requested';

interface NotificationPayload {
  userIds: string[];
  orgId: string | null;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const MAX_TITLE = 200;
const MAX_BODY = 4000;

/**
 * In-app notifications. Other modules call `notify` inside the transaction of the change the
 * notification is about; the outbox delivers it only once that transaction commits.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit(): void {
    this.outbox.registerHandler<NotificationPayload>(NOTIFICATION_REQUESTED, (manager, event) =>
      this.deliver(manager, event),
    );
  }

  /**
   * Queues a notification for each recipient, through `manager` (the caller's transaction manager;
   * `dataSource.manager` when there is no transaction). Recipients are deduplicated; none is a no-op.
   * Bad input is a programming error (plain Error); a title or body over its limit is shortened.
   */
  async notify(manager: EntityManager, request: NotificationRequest): Promise<void> {
    const userIds = [...new Set(request.userIds.map((id) => id.toLowerCase()))];
    if (userIds.length === 0) return;
    const badId = userIds.find((id) => !UUID.test(id));
    if (badId) throw new Error(`notify: "${badId}" is not a user id`);
    if (request.orgId && !UUID.test(request.orgId))
      throw new Error(`notify: "${request.orgId}" is not an org id`);
    if (request.type.length > 64 || !TYPE.test(request.type)) {
      throw new Error(`notify: "${request.type}" is not a notification type (e.g. access.grant.added)`);
    }
    const payload: NotificationPayload = {
      userIds,
      orgId: request.orgId ?? null,
      type: request.type,
      title: request.title.slice(0, MAX_TITLE),
      body: request.body.slice(0, MAX_BODY),
      data: request.data ?? {},
    };
    await this.outbox.enqueue(manager, NOTIFICATION_REQUESTED, payload);
  }

  async list(userId: string, query: ListNotificationsQueryDto): Promise<Page<NotificationDto>> {
    const qb = this.dataSource
      .getRepository(Notification)
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId });
    if (query.unread === true) qb.andWhere('n.read_at IS NULL');
    return paginate(qb, {
      query,
      sort: { key: { column: 'n.created_at', kind: 'timestamp' }, direction: 'DESC' },
      idColumn: 'n.id',
      sortValue: (n) => n.createdAt,
      idValue: (n) => n.id,
      map: toNotificationDto,
    });
  }

  async countUnread(userId: string): Promise<number> {
    return this.dataSource.getRepository(Notification).count({ where: { userId, readAt: IsNull() } });
  }

  /** Someone else's notification answers 404, as if it did not exist. Marking twice is harmless. */
  async markRead(userId: string, id: string): Promise<void> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: () => 'COALESCE(read_at, now())' })
      .where('id = :id AND user_id = :userId', { id, userId })
      .execute();
    if (!result.affected) throw DomainError.notFound('Notification');
  }

  async markAllRead(userId: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: () => 'now()' })
      .where('user_id = :userId AND read_at IS NULL', { userId })
      .execute();
  }

  /** The `notification.requested` handler: one row per recipient that still exists, at most once. */
  private async deliver(manager: EntityManager, event: OutboxEnvelope<NotificationPayload>): Promise<void> {
    const p = event.payload;
    if (!Array.isArray(p.userIds)) throw new Error('notification.requested payload has no userIds');
    await manager.query(
      `INSERT INTO notifications (user_id, org_id, type, title, body, data, created_at, outbox_event_id)
       SELECT u.id, $2, $3, $4, $5, $6::jsonb, $7, $8 FROM users u WHERE u.id = ANY($1::uuid[])
       ON CONFLICT (outbox_event_id, user_id) DO NOTHING`,
      [p.userIds, p.orgId, p.type, p.title, p.body, JSON.stringify(p.data ?? {}), event.createdAt, event.id],
    );
  }
}
