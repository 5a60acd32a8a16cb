import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { QueryBoolean } from '../../common/validation/transforms';
import { PageOf, PageQueryDto } from '../http/pagination';
import { Notification } from './notification.entity';
import { Optional } from '../../common/validation';

export class ListNotificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Only unread notifications when `true`' })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  unread?: boolean;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Organization it concerns, if any',
  })
  orgId: string | null;

  @ApiProperty({ description: 'Stable type code clients switch on', example: 'access.grant.added' })
  type: string;

  @ApiProperty({ example: 'You were granted a role' })
  title: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Type-specific details' })
  data: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null while unread' })
  readAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class NotificationPageDto extends PageOf(NotificationDto) {}

export class UnreadCountDto {
  @ApiProperty({ example: 3 })
  count: number;
}

export function toNotificationDto(n: Notification): NotificationDto {
  return {
    id: n.id,
    orgId: n.orgId,
    type: n.type,
    title: n.title,
    body: n.body,
    data: n.data,
    readAt: n.readAt ? n.readAt.toISOString() : null,
    createdAt: n.createdAt.toISOString(),
  };
}
