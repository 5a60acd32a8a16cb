import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { DATE_TIME_MAX_LENGTH } from '../../common/validation';
import { PageOf, PageQueryDto } from '../http/pagination';
import { OperationLog, OperationResult } from './operation-log.entity';

const RESULTS: OperationResult[] = ['success', 'failure'];

export class ListOperationLogsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only operations by this user' })
  @IsOptional()
  @IsUUID()
  actorUserId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only operations by this API key' })
  @IsOptional()
  @IsUUID()
  apiKeyId?: string;

  @ApiPropertyOptional({ description: 'Only this action (an operationId)', example: 'createRole' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[A-Za-z][A-Za-z0-9_]*$/, { message: 'action must be an operationId such as createRole' })
  action?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only operations on this target' })
  @IsOptional()
  @IsUUID()
  targetId?: string;

  @ApiPropertyOptional({ enum: RESULTS })
  @IsOptional()
  @IsIn(RESULTS)
  result?: OperationResult;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only operations at or after this time (ISO 8601)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only operations at or before this time (ISO 8601)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  to?: string;
}

export class OperationLogDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  orgId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user who acted; null for an API key or an anonymous request',
  })
  actorUserId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The API key that acted, if any',
  })
  apiKeyId: string | null;

  @ApiProperty({ description: 'The operationId of the endpoint', example: 'createRole' })
  action: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Path parameter naming the target',
    example: 'roleId',
  })
  targetType: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  targetId: string | null;

  @ApiProperty({ example: 'PATCH' })
  method: string;

  @ApiProperty({ description: 'Route pattern', example: '/api/v1/orgs/:orgId/roles/:roleId' })
  route: string;

  @ApiProperty({ description: 'Path requested, without the query string' })
  path: string;

  @ApiProperty({ example: 200 })
  statusCode: number;

  @ApiProperty({ enum: RESULTS })
  result: OperationResult;

  @ApiProperty({ type: String, nullable: true })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent: string | null;

  @ApiProperty({ description: 'X-Request-Id of the request' })
  requestId: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class OperationLogPageDto extends PageOf(OperationLogDto) {}

export function toOperationLogDto(l: OperationLog): OperationLogDto {
  return {
    id: l.id,
    orgId: l.orgId,
    actorUserId: l.actorUserId,
    apiKeyId: l.apiKeyId,
    action: l.action,
    targetType: l.targetType,
    targetId: l.targetId,
    method: l.method,
    route: l.route,
    path: l.path,
    statusCode: l.statusCode,
    result: l.result,
    ip: l.ip,
    userAgent: l.userAgent,
    requestId: l.requestId,
    createdAt: l.createdAt.toISOString(),
  };
}
