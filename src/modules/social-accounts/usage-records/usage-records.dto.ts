import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { DATE_TIME_MAX_LENGTH } from '../../../common/validation';
import { PageOf, PageQueryDto } from '../../../platform/http/pagination';
import { UsageAction, USAGE_ACTIONS } from './usage-actions';
import { CHAIN_FORMAT, JsonValue } from './usage-chain';

/** The filters the list and the export share; they combine with AND. */
export class UsageRecordFiltersDto {
  @ApiPropertyOptional({ enum: USAGE_ACTIONS, description: 'Only records of this action' })
  @IsOptional()
  @IsIn(USAGE_ACTIONS)
  action?: UsageAction;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only records of actions by this user' })
  @IsOptional()
  @IsUUID()
  actorUserId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only records at or after this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only records at or before this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  to?: string;
}

export class ListUsageRecordsQueryDto extends IntersectionType(PageQueryDto, UsageRecordFiltersDto) {}

export class UsageRecordDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  accountId: string;

  @ApiProperty({
    type: 'integer',
    description: "Position in the account's chain, from 1 with no gaps",
    example: 42,
  })
  seq: number;

  @ApiProperty({ enum: USAGE_ACTIONS })
  action: string;

  @ApiProperty({ format: 'uuid', description: 'The brand that owns the account' })
  brandOrgId: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user who acted, if a person',
  })
  actorUserId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The API key that acted, if any',
  })
  apiKeyId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The organization the actor acted in (brand, agency or platform); null for the system',
  })
  actorOrgId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The agency concerned; that agency can read the record too',
  })
  agencyOrgId: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'X-Request-Id of the request that acted' })
  requestId: string | null;

  @ApiProperty({ format: 'date-time', description: 'When it happened (UTC, milliseconds)' })
  occurredAt: string;

  @ApiProperty({
    description: 'When it happened, as hashed: UTC microseconds since the Unix epoch, decimal text',
    example: '1768032000123000',
  })
  occurredAtMicros: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What happened (never a secret)',
  })
  details: { [key: string]: JsonValue };

  @ApiProperty({
    description: 'Hash of the previous record (64 zeros for the first)',
    pattern: '^[0-9a-f]{64}$',
  })
  prevHash: string;

  @ApiProperty({
    description: 'SHA-256 of prevHash and this record in canonical form',
    pattern: '^[0-9a-f]{64}$',
  })
  hash: string;
}

export class UsageRecordPageDto extends PageOf(UsageRecordDto) {}

export const VERIFY_STATUSES = ['ok', 'broken', 'truncated'] as const;
export type VerifyStatus = (typeof VERIFY_STATUSES)[number];

export const BREAK_REASONS = [
  'sequence_gap',
  'prev_hash_mismatch',
  'hash_mismatch',
  'checkpoint_mismatch',
] as const;
export type BreakReason = (typeof BREAK_REASONS)[number];

export class UsageCheckpointDto {
  @ApiProperty({ type: 'integer', description: 'Number of records the checkpoint attests', example: 100 })
  seq: number;

  @ApiProperty({
    description: 'Hash of record `seq` when the checkpoint was signed',
    pattern: '^[0-9a-f]{64}$',
  })
  headHash: string;

  @ApiProperty({ format: 'date-time' })
  signedAt: string;

  @ApiProperty({ description: 'Id of the key that signed it', example: 'k2026' })
  keyId: string;

  @ApiProperty({ description: 'Whether its signature verifies with that key' })
  valid: boolean;
}

export class UsageChainBreakDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', example: 17 })
  seq: number;

  @ApiProperty({
    enum: BREAK_REASONS,
    description:
      '`sequence_gap`: records before it are missing; `prev_hash_mismatch`: it does not point at the record ' +
      'before it (that record was altered, or records were removed); `hash_mismatch`: its content was ' +
      'altered; `checkpoint_mismatch`: the chain was rewritten up to it, so it differs from the signed checkpoint',
  })
  reason: BreakReason;
}

export class UsageChainVerificationDto {
  @ApiProperty({
    enum: VERIFY_STATUSES,
    description:
      '`ok`: the chain is intact and reaches the latest checkpoint; `broken`: a record or the latest ' +
      'checkpoint fails; `truncated`: the chain is intact but shorter than a checkpoint or the recorded head',
  })
  status: VerifyStatus;

  @ApiProperty({
    type: 'integer',
    description: 'Records verified in chain order (all of them when ok)',
    example: 120,
  })
  count: number;

  @ApiProperty({
    description: 'Hash of the last verified record (64 zeros for an empty chain)',
    pattern: '^[0-9a-f]{64}$',
  })
  headHash: string;

  @ApiProperty({
    type: UsageCheckpointDto,
    nullable: true,
    description: 'The latest signed checkpoint, if any',
  })
  checkpoint: UsageCheckpointDto | null;

  @ApiProperty({
    type: UsageChainBreakDto,
    nullable: true,
    description: 'The first record where the chain breaks, when a record is at fault',
  })
  firstBadRecord: UsageChainBreakDto | null;

  @ApiProperty({ description: 'The verdict in words' })
  detail: string;

  @ApiProperty({ description: 'Version of the canonical form', example: CHAIN_FORMAT })
  chainFormat: string;

  @ApiProperty({ format: 'date-time' })
  verifiedAt: string;
}
