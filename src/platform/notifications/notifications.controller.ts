import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, requireUserId } from '../../modules/access/actor';
import { CurrentActor, SignedIn } from '../../modules/access/authorize.decorator';
import { Page } from '../http/pagination';
import { ApiProblems } from '../http/problem.dto';
import { uuidParam } from '../http/validation';
import {
  ListNotificationsQueryDto,
  NotificationDto,
  NotificationPageDto,
  UnreadCountDto,
} from './notifications.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @SignedIn()
  @ApiOperation({
    operationId: 'listNotifications',
    summary: 'List my notifications, newest first',
    description: 'Cursor pagination (`limit` 1–100, default 20). `unread=true` lists unread ones only.',
  })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiProblems(400)
  listNotifications(
    @CurrentActor() actor: Actor,
    @Query() query: ListNotificationsQueryDto,
  ): Promise<Page<NotificationDto>> {
    return this.notifications.list(requireUserId(actor), query);
  }

  @Get('unread-count')
  @SignedIn()
  @ApiOperation({ operationId: 'countUnreadNotifications', summary: 'Count my unread notifications' })
  @ApiOkResponse({ type: UnreadCountDto })
  async countUnreadNotifications(@CurrentActor() actor: Actor): Promise<UnreadCountDto> {
    return { count: await this.notifications.countUnread(requireUserId(actor)) };
  }

  @Post('read-all')
  @SignedIn()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'markAllNotificationsRead', summary: 'Mark all my notifications read' })
  @ApiNoContentResponse({ description: 'Done' })
  markAllNotificationsRead(@CurrentActor() actor: Actor): Promise<void> {
    return this.notifications.markAllRead(requireUserId(actor));
  }

  @Post(':id/read')
  @SignedIn()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'markNotificationRead',
    summary: 'Mark one of my notifications read',
    description: "Idempotent. Another user's notification answers 404.",
  })
  @ApiParam({ name: 'id', type: String, format: 'uuid' })
  @ApiNoContentResponse({ description: 'Done' })
  @ApiProblems(400, 404)
  markNotificationRead(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<void> {
    return this.notifications.markRead(requireUserId(actor), id);
  }
}
