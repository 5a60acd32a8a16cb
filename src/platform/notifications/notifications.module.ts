import { Global, Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { OutboxService } from './outbox/outbox.service';

/**
 * In-app notifications and the transactional outbox behind them. Global: any module injects
 * `NotificationsService` to notify people, or `OutboxService` to plug in its own event types.
 */
@Global()
@Module({
  controllers: [NotificationsController],
  providers: [OutboxService, NotificationsService],
  exports: [OutboxService, NotificationsService],
})
export class NotificationsModule {}
